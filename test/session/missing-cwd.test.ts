// A cwd that does not exist is named as such, whichever runner runs the command. codex's runner
// (and any runner started as another account) starts in the command's cwd, so without a check
// the launch failed with ENOENT and said "runner ... could not be started: not found".
// codex's runner's seat is taken by this package's runner (kind 'codex'), as in
// test/sandbox-prep/prepare-sandbox.test.ts; test/win32/codex-real/missing-cwd.test.ts runs codex's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';
import { capSidFile } from '../../src/main/codex/sandbox-prep/cap-sid-file';
import { BUNDLED_RUNNER, realRunner } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('runs sh as the command');
const asCodex = { exe: process.execPath, args: [BUNDLED_RUNNER], kind: 'codex' as const };

async function run(options: SessionConfig) {
  const session = new Session(options);
  session.stdout.resume();
  session.stderr.resume();
  void session.start();
  return { result: await session.exited, session };
}

test("a missing cwd with codex's runner fails in preparing, naming the directory, before any runner or cap_sid write", { skip }, async (t) => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'missing-cwd-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  const missing = path.join(root, 'no-such-dir');
  const { result, session } = await run({ command: ['sh', '-c', 'echo hi'], cwd: missing, runner: asCodex, codexHome: home, refreshSandbox: false });
  assert.equal(result.state, 'failed');
  assert.deepEqual([result.error?.stage, result.error?.message], ['preparing', `working directory ${missing} does not exist`]);
  assert.equal(session.status().runnerPid, undefined, 'no runner was started');
  assert.equal(existsSync(capSidFile(home)), false, 'no SID was made for it');

  const file = path.join(root, 'a-file');
  writeFileSync(file, '');
  const notDir = await run({ command: ['true'], cwd: file, runner: asCodex, codexHome: home, refreshSandbox: false });
  assert.deepEqual([notDir.result.error?.stage, notDir.result.error?.message], ['preparing', `working directory ${file} is not a directory`]);
});

test("with this package's runner the runner names it (the same words)", { skip }, async () => {
  const missing = path.join(os.tmpdir(), `no-such-dir-${process.pid}`);
  const { result } = await run({ command: ['sh', '-c', 'echo hi'], cwd: missing, runner: realRunner() });
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', new RegExp(`working directory ${missing} does not exist`));
});
