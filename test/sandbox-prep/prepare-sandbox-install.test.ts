// The codexInstall option in a whole session (Linux): the refresh takes the install's own setup
// helper (a stand-in script at its name: the real one is a Windows binary, run under Wine in
// test/win32/codex-install-session.test.ts), and a runner copy from another release is said in the status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session, type SessionResult } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { BUNDLED_RUNNER } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('runs sh scripts as the helper and the runner');

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'prep-install-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  return { root, home, work };
}

async function run(options: SessionConfig): Promise<{ result: SessionResult; session: Session }> {
  const session = new Session(options);
  session.stdout.resume();
  session.stderr.resume();
  void session.start();
  return { result: await session.exited, session };
}

test("codexInstall: the refresh runs the install's own helper; a runner from another release is said in the status, not refused", { skip }, async (t) => {
  const d = scratch(t);
  const install = path.join(d.root, 'codex-install');
  mkdirSync(path.join(install, 'codex-resources'), { recursive: true });
  writeFileSync(path.join(install, 'codex-package.json'), JSON.stringify({ layoutVersion: 1, version: '0.171.0', entrypoint: 'bin/codex.exe', resourcesDir: 'codex-resources' }));
  const runs = path.join(d.root, 'runs');
  const helper = path.join(install, 'codex-resources', SETUP_HELPER_FILE);
  // The marker comment: the payload shape 0.171.0's helper takes (as its serde strings say).
  writeFileSync(helper, `#!/bin/sh\n# struct Payload with 17 elements\necho "$1" >> '${runs}'\n`);
  chmodSync(helper, 0o755);
  // codex's 0.165.0 runner, as its .sandbox-bin copy is named (this package's runner stands in for it).
  const runner = path.join(d.home, '.sandbox-bin', 'codex-command-runner-0.165.0.exe');
  writeFileSync(runner, `#!/bin/sh\nexec '${process.execPath}' '${BUNDLED_RUNNER}' "$@"\n`);
  chmodSync(runner, 0o755);
  const { result, session } = await run({ command: ['true'], cwd: d.work, runner: { exe: runner, kind: 'codex' }, codexHome: d.home, sandbox: 'current', refreshSandbox: true, codexInstall: install });
  assert.equal(result.state, 'exited', result.error?.message);
  const prep = session.status().sandboxPrep!;
  assert.deepEqual([prep.refresh, prep.setupHelper], ['ran', helper]);
  assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 1);
  assert.deepEqual(prep.warnings, [`codex's runner ${runner} is from codex 0.165.0, but the setup helper ${helper} from codex 0.171.0 (${install}): they come from different releases`]);
  // A codexInstall that names no install fails the session at once, naming it.
  const bad = await run({ command: ['true'], cwd: d.work, runner: { exe: runner, kind: 'codex' }, codexHome: d.home, sandbox: 'current', codexInstall: path.join(d.root, 'nowhere') });
  assert.equal(bad.result.error?.stage, 'preparing');
  assert.match(bad.result.error?.message ?? '', /^codexInstall .*nowhere does not exist/);
});
