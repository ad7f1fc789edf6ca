// The runner as a program: its usage errors, and its side of the protocol driven by a test
// acting as the parent over the real pipe pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRunnerPipePair } from '../../src/platform/runner-pipes';
import { encodeFrame } from '../../src/protocol/framing';
import { FrameReader } from '../../src/protocol/frame-reader';
import { toRunnerMessage, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../../src/protocol/messages';
import { RUNNER_USAGE } from '../../src/runner/runner-args';
import { BUNDLED_RUNNER } from '../helpers/fixture-paths';
import { isAlive } from '../helpers/process-state';

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

/** Plays the parent: sends `first` (raw bytes or messages), collects every reply until EOF. */
async function asParent(first: (ParentMessage | Buffer)[]): Promise<{ replies: RunnerMessage[]; code: number | null; stderr: string; error?: Error }> {
  const pipes = await createRunnerPipePair();
  const runner = spawn(process.execPath, [BUNDLED_RUNNER, `--pipe-in=${pipes.names.in}`, `--pipe-out=${pipes.names.out}`], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    const replies: RunnerMessage[] = [];
    const done = new Promise<Error | undefined>((resolve) => {
      new FrameReader(fromRunner, toRunnerMessage, { message: (m) => replies.push(m), error: resolve, end: () => resolve(undefined) });
    });
    for (const item of first) toRunner.write(Buffer.isBuffer(item) ? item : encodeFrame(item));
    const error = await done;
    toRunner.destroy();
    fromRunner.destroy();
    return { replies, code: await exited, stderr, error };
  } finally {
    if (!runner.killed && runner.exitCode === null) runner.kill('SIGKILL');
    await pipes.close();
  }
}

test('the first frame must be spawn_request', async () => {
  const r = await asParent([{ type: 'stdin', payload: { data_b64: 'aGk=' } }]);
  assert.deepEqual(r.replies, [{ type: 'error', payload: { code: 'protocol_error', message: 'runner: expected spawn_request, got stdin' } }]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'runner: expected spawn_request, got stdin\n');
});

test('a malformed frame from the parent ends the runner with the reason on stderr', async () => {
  const r = await asParent([Buffer.from('\x03\x00\x00\x00{{{')]);
  assert.deepEqual(r.replies, []);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^runner: bad input from parent: frame 1 is not valid JSON: /);
});

test('a spawn_request of another protocol version is refused', async () => {
  const json = Buffer.from(JSON.stringify({ version: 2, type: 'spawn_request', payload: baseRequest }));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(json.length);
  const r = await asParent([Buffer.concat([header, json])]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unsupported protocol version number 2 \(this side speaks version 1\)/);
});

test('a timeout too large for a timer means "no timeout in practice", not an instant kill', async () => {
  const r = await asParent([{ type: 'spawn_request', payload: { ...baseRequest, command: ['sh', '-c', 'sleep 0.3; echo ok'], timeout_ms: 2 ** 40 } }]);
  const exit = r.replies.find((m) => m.type === 'exit');
  assert.deepEqual(exit?.payload, { exit_code: 0, timed_out: false });
  assert.equal(r.code, 0);
});

test('the runner exits with the child code and reports it; the child is gone', async () => {
  const r = await asParent([{ type: 'spawn_request', payload: { ...baseRequest, command: ['sh', '-c', 'echo hi; exit 42'] } }]);
  assert.equal(r.replies[0]?.type, 'spawn_ready');
  const childPid = (r.replies[0]!.payload as { process_id: number }).process_id;
  const output = r.replies.filter((m) => m.type === 'output').map((m) => Buffer.from((m.payload as { data_b64: string }).data_b64, 'base64').toString()).join('');
  assert.equal(output, 'hi\n');
  assert.deepEqual(r.replies.at(-1), { type: 'exit', payload: { exit_code: 42, timed_out: false } });
  assert.equal(r.code, 42);
  assert.equal(isAlive(childPid), false);
});
