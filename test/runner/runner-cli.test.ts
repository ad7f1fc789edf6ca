// The runner as a program: its usage errors, and its side of the protocol driven by a test
// acting as the parent over the real pipe pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRunnerPipePair } from '../../src/os/runner-pipes';
import { encodeFrame } from '../../src/protocol/framing';
import { FrameReader } from '../../src/protocol/frame-reader';
import { toRunnerMessage, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../../src/protocol/messages';
import { builtinPermissionProfile } from '../../src/protocol/permissions';
import { PROTOCOL_VERSIONS, versionSpec, type ProtocolVersion } from '../../src/protocol/versions';
import { RUNNER_USAGE } from '../../src/runner/runner-args';
import { BUNDLED_RUNNER } from '../helpers/fixture-paths';
import { isAlive } from '../helpers/process-state';
import { posixOnly } from '../helpers/platform';

function runCli(args: string[]) {
  return spawnSync(process.execPath, [BUNDLED_RUNNER, ...args], { encoding: 'utf8', timeout: 10_000 });
}

test('usage errors: a message on stderr and a non-zero exit, no hang', () => {
  const cases: [string[], string][] = [
    [[], 'runner: no pipe-in provided'],
    [['--pipe-in=/tmp/x'], 'runner: no pipe-out provided'],
    [['--pipe-out=/tmp/x'], 'runner: no pipe-in provided'],
    [['--pipe-in=', '--pipe-out=/tmp/x'], 'runner: no pipe-in provided'],
    [['--pipe-in=/a', '--pipe-out=/b', '--verbose'], 'runner: unexpected argument "--verbose"'],
    [['/tmp/x'], 'runner: unexpected argument "/tmp/x"'],
  ];
  for (const [args, first] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}`);
    assert.equal(r.stderr, `${first}\n${RUNNER_USAGE}\n`);
    assert.equal(r.stdout, '');
  }
});

test('pipes that cannot be opened: the runner says which and exits', () => {
  const r = runCli(['--pipe-in=/nonexistent/codex-runner-x/in', '--pipe-out=/nonexistent/codex-runner-x/out']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^runner: cannot open pipe-in \/nonexistent\/codex-runner-x\/in: connect ENOENT/);
});

const baseRequest: SpawnRequest = {
  command: ['true'],
  cwd: '/',
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  policy_json_or_preset: 'read-only',
  sandbox_policy_cwd: '/',
  codex_home: '',
  real_codex_home: '',
  cap_sids: [],
  timeout_ms: null,
  tty: false,
  stdin_open: false,
  use_private_desktop: false,
};

/** A spawn request as version `version` writes it. */
function requestOf(version: ProtocolVersion, command: string[] = ['true']): Record<string, unknown> {
  return versionSpec(version).spawnRequest({
    command,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    permissionProfile: builtinPermissionProfile('read-only'),
    v1Policy: 'read-only',
    workspaceRoots: ['/'],
    codexHome: '',
    realCodexHome: '',
    capSids: [],
    realUserSid: null,
    networkProxyRestrictingSid: null,
    privateDesktopName: null,
    timeoutMs: null,
    tty: false,
    stdinOpen: false,
    usePrivateDesktop: false,
  });
}

/** A raw frame of any envelope. */
function rawFrame(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(json.length);
  return Buffer.concat([header, json]);
}

type Reply = RunnerMessage & { version: number };

/**
 * Plays the parent: sends `first` (raw bytes or version-1 messages), collects every reply until
 * EOF, reading them as version `replyVersion` frames (an error frame is read in any version).
 */
async function asParent(first: (ParentMessage | Buffer)[], runnerFlags: string[] = [], replyVersion: ProtocolVersion = 1): Promise<{ replies: RunnerMessage[]; versioned: Reply[]; code: number | null; stderr: string; error?: Error }> {
  const pipes = await createRunnerPipePair();
  const runner = spawn(process.execPath, [BUNDLED_RUNNER, ...runnerFlags, `--pipe-in=${pipes.names.in}`, `--pipe-out=${pipes.names.out}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  runner.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => runner.on('close', (code) => resolve(code)));
  try {
    const signal = AbortSignal.timeout(10_000);
    await pipes.waitForClient('in', signal);
    await pipes.waitForClient('out', signal);
    assert.equal(pipes.clientProcessId('in'), runner.pid);
    const toRunner = pipes.openStream('in');
    const fromRunner = pipes.openStream('out');
    const versioned: Reply[] = [];
    const done = new Promise<Error | undefined>((resolve) => {
      new FrameReader(fromRunner, (v) => toRunnerMessage(v, replyVersion), { message: (m) => versioned.push(m as Reply), error: resolve, end: () => resolve(undefined) });
    });
    for (const item of first) toRunner.write(Buffer.isBuffer(item) ? item : encodeFrame(item, 1));
    const error = await done;
    toRunner.destroy();
    fromRunner.destroy();
    const replies = versioned.map(({ version: _version, ...m }) => m as RunnerMessage);
    return { replies, versioned, code: await exited, stderr, error };
  } finally {
    if (!runner.killed && runner.exitCode === null) runner.kill('SIGKILL');
    await pipes.close();
  }
}

test('the first frame must be spawn_request', async () => {
  const r = await asParent([{ type: 'stdin', payload: { data_b64: 'aGk=' } }]);
  // Unpinned, the runner answers a request it cannot use in the newest version it speaks.
  assert.deepEqual(r.versioned, [{ version: 6, type: 'error', payload: { message: 'runner: expected spawn_request, got "stdin"', stage: 'read_spawn_request', windows_error_code: null } }]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'runner: expected spawn_request, got "stdin"\n');
});

test('a malformed frame from the parent ends the runner with the reason on stderr', async () => {
  const r = await asParent([Buffer.from('\x03\x00\x00\x00{{{')]);
  assert.deepEqual(r.replies, []);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^runner: bad input from parent: frame 1 is not valid JSON: /);
});

test('a version the runner does not know is refused, naming it, in the newest version', async () => {
  const r = await asParent([rawFrame({ version: 9, type: 'spawn_request', payload: requestOf(6) })]);
  assert.deepEqual(r.versioned, [{ version: 6, type: 'error', payload: { message: 'runner: unsupported protocol version 9', stage: 'read_spawn_request', windows_error_code: null } }]);
  assert.equal(r.code, 1);
});

test('unpinned, the runner speaks every version and answers in the one it was asked in', { skip: posixOnly('the command is sh, and on Windows this runner refuses the read-only profile without --allow-unenforced-policy') }, async () => {
  for (const version of PROTOCOL_VERSIONS) {
    const r = await asParent([rawFrame({ version, type: 'spawn_request', payload: requestOf(version, ['sh', '-c', 'echo v; exit 3']) })], [], version);
    assert.deepEqual(r.versioned.map((m) => `${m.version}:${m.type}`), [`${version}:spawn_ready`, `${version}:output`, `${version}:exit`], `version ${version}: ${r.stderr}`);
    assert.deepEqual(r.replies.at(-1), { type: 'exit', payload: { exit_code: 3, timed_out: false } });
    assert.equal(r.code, 3);
  }
});

test('pinned to N, it reads the request with version N\'s struct first, then refuses any other version as upstream N does', { skip: posixOnly('the command is sh, and on Windows this runner refuses the read-only profile without --allow-unenforced-policy') }, async () => {
  for (const pinned of PROTOCOL_VERSIONS) {
    // Its own version works.
    const ok = await asParent([rawFrame({ version: pinned, type: 'spawn_request', payload: requestOf(pinned, ['sh', '-c', 'exit 5']) })], [`--protocol=${pinned}`], pinned);
    assert.equal(ok.code, 5, `pinned ${pinned}: ${ok.stderr}`);
    for (const sent of PROTOCOL_VERSIONS.filter((v) => v !== pinned)) {
      const r = await asParent([rawFrame({ version: sent, type: 'spawn_request', payload: requestOf(sent) })], [`--protocol=${pinned}`], pinned);
      assert.equal(r.code, 1, `pinned ${pinned}, sent ${sent}`);
      // Whatever fails first: a field version `pinned` requires that `sent` lacks, else the version check.
      const expected = r.stderr.includes('missing field') ? /^runner: bad spawn request: spawn_request: missing field "[a-z_]+"/ : new RegExp(`^runner: unsupported protocol version ${sent}\n$`);
      assert.match(r.stderr, expected, `pinned ${pinned}, sent ${sent}`);
      // Every version refuses with a frame in its own version, as codex's runners do: spawn_failed
      // before version 4, stage read_spawn_request from 4 on. (It once ended silently below 4.)
      assert.equal(r.versioned.length, 1, `pinned ${pinned}, sent ${sent}`);
      const [reply] = r.versioned;
      assert.equal(reply!.version, pinned, 'a refusal is said in the runner\'s own version');
      const shape = pinned < 4 ? { message: '', code: 'spawn_failed' } : { message: '', stage: 'read_spawn_request', windows_error_code: null };
      assert.deepEqual({ ...reply!.payload, message: '' }, shape, `pinned ${pinned}, sent ${sent}`);
      assert.equal(`${(reply!.payload as { message: string }).message}\n`, r.stderr, 'the frame says what stderr says');
    }
  }
  // The two paths of the strict read, pinned to 3: a version-2 request lacks workspace_roots...
  const v2to3 = await asParent([rawFrame({ version: 2, type: 'spawn_request', payload: requestOf(2) })], ['--protocol=3'], 3);
  assert.equal(v2to3.stderr, 'runner: bad spawn request: spawn_request: missing field "workspace_roots" (expected an array of absolute paths)\n');
  // ...a version-6 request has everything version 3 needs, so the version check speaks.
  const v6to3 = await asParent([rawFrame({ version: 6, type: 'spawn_request', payload: requestOf(6) })], ['--protocol=3'], 3);
  assert.equal(v6to3.stderr, 'runner: unsupported protocol version 6\n');
});

test('a timeout too large for a timer means "no timeout in practice", not an instant kill', { skip: posixOnly('the command is sh, and on Windows this runner refuses the read-only profile without --allow-unenforced-policy') }, async () => {
  const r = await asParent([{ type: 'spawn_request', payload: { ...baseRequest, command: ['sh', '-c', 'sleep 0.3; echo ok'], timeout_ms: 2 ** 40 } }]);
  const exit = r.replies.find((m) => m.type === 'exit');
  assert.deepEqual(exit?.payload, { exit_code: 0, timed_out: false });
  assert.equal(r.code, 0);
});

test("timeout_ms 0 (from an old or hostile parent; this package's sessions refuse it) times the command out at once, as codex's runner does", { skip: posixOnly('the command is sh, and on Windows this runner refuses the read-only profile without --allow-unenforced-policy') }, async () => {
  const r = await asParent([{ type: 'spawn_request', payload: { ...baseRequest, command: ['sh', '-c', 'sleep 30; echo never'], timeout_ms: 0 } }]);
  assert.equal(r.replies[0]?.type, 'spawn_ready');
  assert.equal(r.replies.filter((m) => m.type === 'output').length, 0);
  const exit = r.replies.find((m) => m.type === 'exit')?.payload as { exit_code: number; timed_out: boolean } | undefined;
  assert.deepEqual([exit?.exit_code, exit?.timed_out], [192, true]);
});

test('the runner exits with the child code and reports it; the child is gone', { skip: posixOnly('the command is sh, and on Windows this runner refuses the read-only profile without --allow-unenforced-policy') }, async () => {
  const r = await asParent([{ type: 'spawn_request', payload: { ...baseRequest, command: ['sh', '-c', 'echo hi; exit 42'] } }]);
  assert.equal(r.replies[0]?.type, 'spawn_ready');
  const childPid = (r.replies[0]!.payload as { process_id: number }).process_id;
  const output = r.replies.filter((m) => m.type === 'output').map((m) => Buffer.from((m.payload as { data_b64: string }).data_b64, 'base64').toString()).join('');
  assert.equal(output, 'hi\n');
  assert.deepEqual(r.replies.at(-1), { type: 'exit', payload: { exit_code: 42, timed_out: false } });
  assert.equal(r.code, 42);
  assert.equal(isAlive(childPid), false);
});
