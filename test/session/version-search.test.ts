// The version search as a decision, without processes: for each thing a try can get, what
// happens next. The end-to-end cases are in protocol-auto.test.ts and never-twice.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorPayload } from '../../src/protocol/messages';
import { isRefreshableLogonError, meaningOfError, VersionSearch, type SearchStart, type TryResult } from '../../src/main/session/version-search';

const FILE = '/x/codex-command-runner.exe';
const search = (start: Partial<SearchStart> = {}) => new VersionSearch({ runnerFile: FILE, isRefreshableLogonError: () => false, ...start });
const v4Refusal = (message = 'runner: unsupported protocol version 6'): ErrorPayload => ({ message, stage: 'read_spawn_request', windows_error_code: null });
const codeError = (message: string): ErrorPayload => ({ message, code: 'spawn_failed' });
const error = (payload: ErrorPayload, version: number): TryResult => ({ kind: 'error', payload, version });
const silent: TryResult = { kind: 'silent', why: 'runner pid 7 was killed by SIGKILL', stderr: '' };
const undelivered: TryResult = { kind: 'undelivered', why: 'runner pid 7 was killed by SIGKILL', stderr: '' };
const MAY_HAVE_STARTED = 'runner pid 7 was killed by SIGKILL after the spawn request was written, without answering it: the command may have started, so it is not run again';

test('auto starts at the newest version, any warm runner may take the first try, and spawn_ready runs it (and teaches the version)', () => {
  const s = search();
  assert.deepEqual(s.first(), { kind: 'try', version: 6, mayTakeWarm: true });
  assert.equal(s.learns(), 6);
  assert.deepEqual(s.after({ kind: 'ready' }, false), { kind: 'run' });
});

test('silence after the request was written fails the session, on a new runner or a warm one, whatever the version choice', () => {
  for (const given of [undefined, 6, 3] as const) {
    for (const onWarm of [false, true]) {
      const s = search({ given });
      s.first();
      assert.deepEqual(s.after(silent, onWarm), { kind: 'fail', stage: 'spawn_sent', message: MAY_HAVE_STARTED });
    }
  }
  const remembered = search({ remembered: 2 });
  remembered.first();
  assert.deepEqual(remembered.after(silent, false).kind, 'fail', 'a remembered version is not searched past on silence either');
});

test('a request that never reached a warm runner goes to a new runner, same version, once; never for a new runner', () => {
  const s = search();
  s.first();
  assert.deepEqual(s.after(undelivered, true), { kind: 'try', version: 6, mayTakeWarm: false });
  assert.deepEqual(s.after(undelivered, true), { kind: 'fail', stage: 'spawn_sent', message: 'runner pid 7 was killed by SIGKILL before the spawn request reached it' });
  const cold = search();
  cold.first();
  assert.equal(cold.after(undelivered, false).kind, 'fail');
});

test('an explicit refusal of the version moves on: to the version the refusal was said in, else the next older', () => {
  const s = search();
  s.first();
  assert.deepEqual(s.after(error(v4Refusal(), 4), false), { kind: 'try', version: 4, mayTakeWarm: false });
  assert.equal(s.learns(), 4);
  assert.deepEqual(s.after({ kind: 'ready' }, false), { kind: 'run' });
  assert.deepEqual(s.refused, [{ version: 6, reply: 'error at read_spawn_request: runner: unsupported protocol version 6' }]);
  // v1/v2 runners refuse with "missing field ..." in their own version; a refusal in an unknown version has no hint.
  const old = search();
  old.first();
  assert.deepEqual(old.after(error(codeError('missing field `policy_json_or_preset`'), 1), false), { kind: 'try', version: 1, mayTakeWarm: false });
  const unknown = search();
  unknown.first();
  assert.deepEqual(unknown.after(error(v4Refusal(), 9), false), { kind: 'try', version: 5, mayTakeWarm: false });
});

test('every version refused: one error listing each try', () => {
  const s = search();
  let step = s.first();
  while (step.kind === 'try') step = s.after(error(v4Refusal(), 9), false);
  assert.deepEqual(step, {
    kind: 'fail',
    stage: 'spawn_sent',
    message: `runner ${FILE} refused every protocol version this module speaks (${[6, 5, 4, 3, 2, 1].map((v) => `v${v}: error at read_spawn_request: runner: unsupported protocol version 6`).join('; ')})`,
  });
});

test("a refusal of the request's content (in the version sent) fails at once and teaches nothing", () => {
  const s = search();
  s.first();
  const step = s.after(error(v4Refusal('runner: bad spawn request: workspace_roots must be absolute'), 6), false);
  assert.deepEqual(step, {
    kind: 'fail',
    stage: 'spawn_sent',
    message: 'runner failed during read_spawn_request: runner: bad spawn request: workspace_roots must be absolute (a refusal in the version it was sent in: the runner speaks it, so no other version is tried)',
  });
  assert.deepEqual(meaningOfError(codeError('invalid type: expected a string'), 2, 2), { kind: 'content-refusal' });
  assert.deepEqual(meaningOfError(codeError('runner: unsupported protocol version 6'), 3, 6), { kind: 'version-refusal', hint: 3 });
  assert.deepEqual(meaningOfError(codeError('failed to spawn x: ENOENT'), 3, 3), { kind: 'failure' });
});

test('a version skipped for what the request holds is not a lesson: the version found after it is not remembered', () => {
  const s = search();
  s.first();
  assert.deepEqual(s.after({ kind: 'unencodable', message: 'cannot carry X' }, false), { kind: 'try', version: 5, mayTakeWarm: false });
  assert.equal(s.learns(), undefined);
  assert.deepEqual(s.refused, [{ version: 6, reply: 'not tried: cannot carry X' }]);
});

test('a runner that named its version, which cannot carry the request, fails without trying the rest', () => {
  const s = search();
  s.first();
  s.after(error(codeError('missing field `policy_json_or_preset`'), 1), false);
  assert.deepEqual(s.after({ kind: 'unencodable', message: 'a custom permission profile cannot be sent to a version-1 runner' }, false), {
    kind: 'fail',
    stage: 'spawn_sent',
    message: `runner ${FILE} speaks protocol version 1 (its refusal said so), which cannot carry this request: a custom permission profile cannot be sent to a version-1 runner`,
  });
});

test('a given version is never searched: its refusal is the error with the way out; it cannot be carried: fails at preparing', () => {
  const s = search({ given: 6 });
  assert.deepEqual(s.first(), { kind: 'try', version: 6, mayTakeWarm: true });
  assert.equal(s.learns(), undefined, 'a given version teaches nothing');
  assert.deepEqual(s.after(error(v4Refusal(), 4), false), {
    kind: 'fail',
    stage: 'spawn_sent',
    message: 'runner failed during read_spawn_request: runner: unsupported protocol version 6 (the session asked for protocol version 6; "auto" finds the runner\'s own)',
  });
  const one = search({ given: 1 });
  one.first();
  assert.deepEqual(one.after({ kind: 'unencodable', message: 'cannot carry X' }, false), { kind: 'fail', stage: 'preparing', message: 'cannot carry X' });
});

test('a remembered version refused: forgotten, searched again', () => {
  const s = search({ remembered: 3 });
  assert.equal(s.chosen, 'remembered');
  assert.deepEqual(s.first(), { kind: 'try', version: 3, mayTakeWarm: true });
  assert.deepEqual(s.after(error(v4Refusal('runner: unsupported protocol version 3'), 6), false), { kind: 'try', version: 6, mayTakeWarm: false, forgetRemembered: true });
  assert.equal(s.chosen, 'detected');
});

test('a real failure is reported as it is; a refreshable logon error is retried once on a new runner, naming the logon error (codex\'s users are set up again first)', () => {
  const failure: ErrorPayload = { message: 'runner: CreateProcessAsUserW failed', stage: 'spawn_child', windows_error_code: 1326 };
  const s = search({ isRefreshableLogonError: (p) => 'stage' in p && p.windows_error_code === 1326, windowsErrorText: () => 'The user name or password is incorrect.' });
  s.first();
  assert.deepEqual(s.after(error(failure, 6), true), { kind: 'try', version: 6, mayTakeWarm: false, logonFailure: 1326 });
  assert.deepEqual(s.after(error(failure, 6), false), {
    kind: 'fail',
    stage: 'spawn_sent',
    message: 'runner failed during spawn_child: runner: CreateProcessAsUserW failed (Windows error 1326: The user name or password is incorrect.)',
    spawnFailed: true, // the command could not be started: the node-pty facade reports exit code 1
  });
});

test('which logon errors are worth new credentials: 1326 and 1312 at spawn_child, but not 1312 for a WindowsApps program', () => {
  const at = (code: number | null, stage: 'spawn_child' | 'read_spawn_request' = 'spawn_child'): ErrorPayload => ({ message: 'x', stage, windows_error_code: code });
  assert.equal(isRefreshableLogonError(at(1326), 'cmd.exe'), true);
  assert.equal(isRefreshableLogonError(at(1312), 'C:\\Windows\\cmd.exe'), true);
  assert.equal(isRefreshableLogonError(at(1312), 'C:\\Program Files\\WindowsApps\\x\\app.exe'), false);
  assert.equal(isRefreshableLogonError(at(1326, 'read_spawn_request'), 'cmd.exe'), false);
  assert.equal(isRefreshableLogonError(at(5), 'cmd.exe'), false);
  assert.equal(isRefreshableLogonError(codeError('logon failed'), 'cmd.exe'), false);
});
