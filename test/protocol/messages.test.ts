import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDataFrame, encodeFrame, FrameDecoder } from '../../src/protocol/framing';
import { ProtocolError, toParentMessage, toRunnerMessage, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../../src/protocol/messages';
import { PROTOCOL_VERSIONS } from '../../src/protocol/versions';

/** The version-1 messages below, as validation returns them (with the envelope's version). */
const v1 = <M>(m: M) => ({ version: 1, ...m });
const parent1 = (v: unknown) => toParentMessage(v, 1);
const runner1 = (v: unknown) => toRunnerMessage(v, 1);

const request: SpawnRequest = {
  command: ['cmd.exe', '/c', 'echo hi'],
  cwd: 'C:\\work',
  env: { PATH: 'C:\\Windows', EMPTY: '' },
  policy_json_or_preset: 'workspace-write',
  sandbox_policy_cwd: 'C:\\work',
  codex_home: 'C:\\Users\\me\\.codex',
  real_codex_home: 'C:\\Users\\me\\.codex',
  cap_sids: ['S-1-5-21-1-2-3-1001'],
  real_user_sid: 'S-1-5-21-1-2-3-1000',
  timeout_ms: 5000,
  tty: false,
  stdin_open: true,
  use_private_desktop: false,
};

const parentMessages: ParentMessage[] = [
  { type: 'spawn_request', payload: request },
  { type: 'spawn_request', payload: { ...request, timeout_ms: null, real_user_sid: null } },
  { type: 'stdin', payload: { data_b64: Buffer.from([0, 1, 2, 255]).toString('base64') } },
  { type: 'close_stdin', payload: {} },
  { type: 'resize', payload: { rows: 24, cols: 80 } },
  { type: 'terminate', payload: {} },
  { type: 'signal', payload: { signal: 'SIGHUP' } },
];
const runnerMessages: RunnerMessage[] = [
  { type: 'spawn_ready', payload: { process_id: 4242 } },
  { type: 'error', payload: { message: 'CreateProcessAsUserW failed', stage: 'spawn_child', windows_error_code: 1312 } },
  { type: 'error', payload: { message: 'runner: unsupported protocol version 6', stage: 'read_spawn_request', windows_error_code: null } },
  { type: 'output', payload: { data_b64: 'aGk=', stream: 'stdout' } },
  { type: 'output', payload: { data_b64: '', stream: 'stderr' } },
  { type: 'exit', payload: { exit_code: -1073741510, timed_out: false } },
  { type: 'exit', payload: { exit_code: 192, timed_out: true } },
  { type: 'error', payload: { message: 'CreateProcessAsUserW failed: 2', code: 'spawn_failed' } },
];

function decodeOne(frame: Buffer): unknown {
  const values = new FrameDecoder().push(frame);
  assert.equal(values.length, 1);
  return values[0];
}

test('every parent -> runner message survives a round trip with its exact wire names', () => {
  for (const message of parentMessages) {
    const value = decodeOne(encodeFrame(message, 1)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['version', 'type', 'payload']);
    assert.equal(value.version, 1);
    assert.deepEqual(toParentMessage(value), v1(message));
  }
  const wire = JSON.parse(encodeFrame({ type: 'spawn_request', payload: request }, 1).subarray(4).toString()) as { payload: object };
  assert.deepEqual(Object.keys(wire.payload), [
    'command', 'cwd', 'env', 'policy_json_or_preset', 'sandbox_policy_cwd', 'codex_home', 'real_codex_home',
    'cap_sids', 'real_user_sid', 'timeout_ms', 'tty', 'stdin_open', 'use_private_desktop',
  ]);
  assert.equal(encodeFrame({ type: 'close_stdin', payload: {} }, 1).subarray(4).toString(), '{"version":1,"type":"close_stdin","payload":{}}');
  assert.equal(encodeFrame({ type: 'resize', payload: { rows: 50, cols: 132 } }, 6).subarray(4).toString(), '{"version":6,"type":"resize","payload":{"rows":50,"cols":132}}');
});

test('every runner -> parent message survives a round trip', () => {
  for (const version of PROTOCOL_VERSIONS) {
    for (const message of runnerMessages) assert.deepEqual(toRunnerMessage(decodeOne(encodeFrame(message, version)), version), { version, ...message });
  }
});

test('a frame is byte for byte what upstream serde writes', () => {
  const json = '{"version":1,"type":"spawn_ready","payload":{"process_id":5}}';
  // 61 = 0x3d bytes of JSON, little-endian.
  const expected = Buffer.concat([Buffer.from([0x3d, 0x00, 0x00, 0x00]), Buffer.from(json, 'utf8')]);
  assert.deepEqual(encodeFrame({ type: 'spawn_ready', payload: { process_id: 5 } }, 1), expected);
  const exit = '{"version":1,"type":"exit","payload":{"exit_code":192,"timed_out":true}}';
  assert.deepEqual(encodeFrame({ type: 'exit', payload: { exit_code: 192, timed_out: true } }, 1).subarray(4).toString(), exit);
  // Upstream's own version-4 test pins this error frame (ipc_framed.rs): windows_error_code is written even when null.
  const error = '{"version":4,"type":"error","payload":{"message":"CreateProcessAsUserW failed","stage":"spawn_child","windows_error_code":1312}}';
  assert.equal(encodeFrame({ type: 'error', payload: { message: 'CreateProcessAsUserW failed', stage: 'spawn_child', windows_error_code: 1312 } }, 4).subarray(4).toString(), error);
});

test('the data-frame fast paths write and read the same bytes and values as the general ones, in every version', () => {
  const data = Buffer.from('binary \x00\xff\n"quoted"\\', 'latin1');
  const b64 = data.toString('base64');
  for (const version of PROTOCOL_VERSIONS) {
    const err = encodeDataFrame('output', data, version, 'stderr');
    assert.deepEqual(err, encodeFrame({ type: 'output', payload: { data_b64: b64, stream: 'stderr' } }, version));
    assert.deepEqual(encodeDataFrame('output', data, version, 'stdout'), encodeFrame({ type: 'output', payload: { data_b64: b64, stream: 'stdout' } }, version));
    assert.deepEqual(encodeDataFrame('stdin', data, version), encodeFrame({ type: 'stdin', payload: { data_b64: b64 } }, version));
    // The decoder's fast path gives exactly what JSON.parse gives.
    assert.deepEqual(decodeOne(err), JSON.parse(err.subarray(4).toString()));
    assert.deepEqual(toRunnerMessage(decodeOne(err), version), { version, type: 'output', payload: { data_b64: b64, stream: 'stderr' } });
  }
  // A view into a larger buffer encodes only its own bytes.
  const big = Buffer.from('xxABCxx');
  assert.deepEqual(encodeDataFrame('stdin', big.subarray(2, 5), 6), encodeFrame({ type: 'stdin', payload: { data_b64: 'QUJD' } }, 6));
});

test('the serde defaults: stdin_open and use_private_desktop may be absent and mean false', () => {
  const { stdin_open: _a, use_private_desktop: _b, real_user_sid: _c, ...minimal } = request;
  const message = toParentMessage({ version: 1, type: 'spawn_request', payload: minimal });
  assert.equal(message.type, 'spawn_request');
  const payload = message.payload as SpawnRequest;
  assert.equal(payload.stdin_open, false);
  assert.equal(payload.use_private_desktop, false);
  assert.equal('real_user_sid' in payload, false, "upstream's v1 has no real_user_sid: read as an unknown field");
});

/** Each malformed value must be refused with this exact message. */
function refused(validate: (v: unknown) => unknown, value: unknown, message: string | RegExp): void {
  assert.throws(() => validate(value), (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('malformed envelopes get specific errors', () => {
  const toRunnerMessage = runner1;
  const toParentMessage = parent1;
  refused(toRunnerMessage, [1, 2], 'frame is not a JSON object (got an array)');
  refused(toRunnerMessage, 'hi', 'frame is not a JSON object (got "hi")');
  refused(toRunnerMessage, null, 'frame is not a JSON object (got null)');
  refused(toRunnerMessage, { version: 2, type: 'exit', payload: { exit_code: 0, timed_out: false } }, 'unsupported protocol version 2 (this session speaks version 1)');
  refused(toRunnerMessage, { type: 'exit', payload: {} }, 'frame has no "version"');
  refused(toRunnerMessage, { version: '1', type: 'exit', payload: {} }, 'frame "version" must be an integer 0..255 (got "1")');
  refused(toParentMessage, { version: 2, type: 'terminate', payload: {} }, 'unsupported protocol version 2 (this session speaks version 1)');
  refused(toRunnerMessage, { version: 1, payload: {} }, 'frame has no string "type" (got nothing)');
  refused(toRunnerMessage, { version: 1, type: 'hello', payload: {} }, 'unknown message type "hello" from the runner');
  refused(toRunnerMessage, { version: 1, type: 'toString', payload: {} }, 'unknown message type "toString" from the runner');
  // A parent message arriving from the runner, and the other way round, is unknown in that direction.
  refused(toRunnerMessage, { version: 1, type: 'stdin', payload: { data_b64: '' } }, 'unknown message type "stdin" from the runner');
  refused(toParentMessage, { version: 1, type: 'spawn_ready', payload: { process_id: 1 } }, 'unknown message type "spawn_ready" from the parent');
  refused(toRunnerMessage, { version: 1, type: 'exit', payload: null }, 'exit: "payload" must be an object (got null)');
  refused(toRunnerMessage, { version: 1, type: 'exit' }, 'exit: "payload" must be an object (got nothing)');
});

test('an error frame is read whatever its version: a refusing runner answers in its own', () => {
  const refusal = { version: 4, type: 'error', payload: { message: 'runner: unsupported protocol version 6', stage: 'read_spawn_request', windows_error_code: null } };
  assert.deepEqual(toRunnerMessage(refusal, 6), refusal);
  // windows_error_code may be absent (serde would write null; some forks omit it): read as null.
  const { windows_error_code: _w, ...payload } = refusal.payload;
  assert.deepEqual(toRunnerMessage({ ...refusal, payload }, 6).payload, refusal.payload);
});

test('missing and mistyped fields get errors naming the message and the field', () => {
  const toRunnerMessage = runner1;
  const toParentMessage = parent1;
  const r = (type: string, payload: object) => ({ version: 1, type, payload });
  refused(toRunnerMessage, r('spawn_ready', {}), 'spawn_ready: missing field "process_id" (expected an integer 2..4294967295)');
  refused(toRunnerMessage, r('spawn_ready', { process_id: -1 }), 'spawn_ready: field "process_id" must be an integer 2..4294967295, got number -1');
  // 0 and 1 are never a command's pid: a runner claiming them is lying (kill(-1) would hit everything).
  refused(toRunnerMessage, r('spawn_ready', { process_id: 1 }), 'spawn_ready: field "process_id" must be an integer 2..4294967295, got number 1');
  refused(toRunnerMessage, r('spawn_ready', { process_id: 0 }), 'spawn_ready: field "process_id" must be an integer 2..4294967295, got number 0');
  refused(toRunnerMessage, r('spawn_ready', { process_id: 2 ** 32 }), /field "process_id" must be an integer 2\.\.4294967295, got number 4294967296/);
  refused(toRunnerMessage, r('spawn_ready', { process_id: 1.5 }), /field "process_id" must be an integer/);
  refused(toRunnerMessage, r('output', { stream: 'stdout' }), 'output: missing field "data_b64" (expected standard base64)');
  refused(toRunnerMessage, r('output', { data_b64: 'aGk=', stream: 'stdin' }), 'output: field "stream" must be "stdout" or "stderr", got "stdin"');
  refused(toRunnerMessage, r('exit', { exit_code: 2 ** 31, timed_out: false }), 'exit: field "exit_code" must be a 32-bit integer, got number 2147483648');
  refused(toRunnerMessage, r('exit', { exit_code: 0, timed_out: 'no' }), 'exit: field "timed_out" must be a boolean, got "no"');
  refused(toRunnerMessage, r('error', { message: 'x' }), 'error: missing field "stage" (expected a string (or "code", in the version 1-3 shape))');
  refused(toRunnerMessage, r('error', { message: 'x', stage: 'spawn_child', windows_error_code: -5 }), 'error: field "windows_error_code" must be an integer 0..4294967295 or null, got number -5');
  const p = (type: string, payload: object) => ({ version: 1, type, payload });
  refused(toParentMessage, p('spawn_request', { ...request, command: [] }), 'spawn_request: field "command" must not be empty');
  refused(toParentMessage, p('spawn_request', { ...request, command: ['a', 1] }), 'spawn_request: field "command" must be an array of strings, got an array');
  refused(toParentMessage, p('spawn_request', { ...request, env: { A: 1 } }), 'spawn_request: field "env" must be an object of strings, got an object');
  refused(toParentMessage, p('spawn_request', { ...request, timeout_ms: -5 }), 'spawn_request: field "timeout_ms" must be a non-negative integer or null, got number -5');
  refused(toParentMessage, p('spawn_request', { ...request, tty: 1 }), 'spawn_request: field "tty" must be a boolean, got number 1');
  refused(toParentMessage, p('spawn_request', { ...request, stdin_open: 'yes' }), 'spawn_request: field "stdin_open" must be a boolean, got "yes"');
  const { cwd: _cwd, ...noCwd } = request;
  refused(toParentMessage, p('spawn_request', noCwd), 'spawn_request: missing field "cwd" (expected a string)');
  refused(toParentMessage, p('resize', { rows: 24, cols: 70000 }), 'resize: field "cols" must be an integer 0..65535, got number 70000');
  refused(toParentMessage, p('resize', { cols: 80 }), 'resize: missing field "rows" (expected an integer 0..65535)');
});

test('bad base64 is refused: not the standard alphabet, or bad padding', () => {
  const toRunnerMessage = runner1;
  const toParentMessage = parent1;
  const out = (data_b64: unknown) => ({ version: 1, type: 'output', payload: { data_b64, stream: 'stdout' } });
  for (const bad of ['aGk', 'aGk=a', 'a-_b', 'aGk*', '====', 'aG k=', 'aGk==']) {
    refused(toRunnerMessage, out(bad), `output: field "data_b64" must be standard base64, got ${JSON.stringify(bad)}`);
  }
  refused(toRunnerMessage, out(12), 'output: field "data_b64" must be standard base64, got number 12');
  refused(toParentMessage, { version: 1, type: 'stdin', payload: { data_b64: 'not base64!' } }, 'stdin: field "data_b64" must be standard base64, got "not base64!"');
  for (const good of ['', 'aA==', 'aGk=', 'aGVs', '+/+/']) assert.doesNotThrow(() => toRunnerMessage(out(good)));
});

test("this package's signal message: only a name from the fixed list passes, never a number or a made-up name", () => {
  assert.deepEqual(parent1({ version: 1, type: 'signal', payload: { signal: 'SIGUSR1' } }), { version: 1, type: 'signal', payload: { signal: 'SIGUSR1' } });
  for (const signal of [9, 'KILL', 'SIGFOO', 'sigterm', '', null]) {
    assert.throws(() => parent1({ version: 1, type: 'signal', payload: { signal } }), (err: Error) => err instanceof ProtocolError && /^signal: (field "signal" must be a signal name such as "SIGHUP"|missing field "signal")/.test(err.message), String(signal));
  }
  // A runner never sends it.
  assert.throws(() => runner1({ version: 1, type: 'signal', payload: { signal: 'SIGHUP' } }), /unknown message type "signal" from the runner/);
});
