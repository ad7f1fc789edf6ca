// codex's real install, laid out as `npm install -g @openai/codex` lays it out on Windows
// (scripts/wine/codex-install.sh; test/helpers/codex-install.ts), looked up with the defaults: the
// npm prefix on PATH, its shims followed to the platform package, codex.exe, the runner and the
// setup helper found where codex takes them; the codex.exe found is the real one (--version).
// And the registered runtime's HKLM record, written with reg.exe into this Wine prefix and removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { CodexInstallError } from '../../src/main/codex/install/codex-install-error';
import { findCodexInstall, REGISTERED_CORE_KEY } from '../../src/main/codex/install/find-codex-install';
import { findSetupHelper } from '../../src/main/codex/install/setup-helper';
import { npmCodexInstall } from '../helpers/codex-install';
import { runningUnderWine, skipUnlessWindows as skip } from './win32-test-support';

const run = promisify(execFile);
const same = (a: string | undefined, b: string) => a !== undefined && realpathSync.native(a).toLowerCase() === realpathSync.native(b).toLowerCase();

test("the npm prefix on PATH: codex.cmd -> @openai/codex -> @openai/codex-win32-x64's vendor: the real codex.exe, runner and setup helper", { skip }, async () => {
  const npm = npmCodexInstall();
  const env = { ...process.env, PATH: `${process.env.SystemRoot ?? 'C:\\windows'}\\system32;${npm.prefix}` };
  const found = await findCodexInstall({ env });
  const i = found.install;
  assert.ok(i, `no install found; looked in ${found.looked.join(', ')}; ${found.notes.join('; ')}`);
  assert.equal(i.kind, 'npm');
  assert.equal(i.release, npm.release);
  assert.ok(same(i.codexExe, npm.codexExe), `${i.codexExe} is not ${npm.codexExe}`);
  assert.ok(same(i.root, npm.vendor));
  assert.ok(same(i.runner, npm.runner));
  assert.ok(same(i.setupHelper, npm.setupHelper));
  assert.match(i.foundBy, /codex\.cmd$/);
  for (const file of [i.runner!, i.setupHelper!]) assert.ok(statSync(file).size > 100_000, `${file} is codex's own`);
  // What codex.js runs is the real codex of that release.
  const version = await run(i.codexExe!, ['--version'], { timeout: 60_000 });
  assert.equal(version.stdout.trim(), `codex-cli ${npm.release}`);
  // The setup helper a session's refresh runs with the defaults: the install's own.
  const helper = await findSetupHelper({ codexHome: 'C:\\nonexistent-codex-home', install: i });
  assert.ok(same(helper.found, npm.setupHelper));
});

test('the codexInstall option names the same install by codex.exe or by its vendor folder', { skip }, async () => {
  const npm = npmCodexInstall();
  for (const given of [npm.codexExe, npm.vendor]) {
    const i = (await findCodexInstall({ codexInstall: given, env: { PATH: '' } })).install!;
    assert.equal(i.kind, 'explicit');
    assert.equal(i.release, npm.release);
    assert.ok(same(i.setupHelper, npm.setupHelper), given);
    assert.ok(same(i.runner, npm.runner), given);
  }
});

test('the registered runtime recorded under HKLM, with no CLI install found, is a CodexInstallError naming it; with one found, a note', { skip: skip || (!runningUnderWine() && 'writes HKLM: only in the Wine prefix') }, async (t) => {
  const key = `HKLM\\${REGISTERED_CORE_KEY}`;
  await run('reg.exe', ['add', key, '/f']);
  t.after(() => run('reg.exe', ['delete', key, '/f']).catch(() => {}));
  await assert.rejects(findCodexInstall({ env: { PATH: '' } }), (e: unknown) => e instanceof CodexInstallError && e.problem === 'registered-runtime' && e.message.includes(key) && /\(\d+ places? looked; `codex-runner-ipc doctor` lists them\)/.test(e.message) && (e.looked?.length ?? 0) > 0);
  const npm = npmCodexInstall();
  const found = await findCodexInstall({ env: { PATH: npm.prefix } });
  assert.equal(found.install?.kind, 'npm');
  assert.match(found.notes.join('\n'), /registered codex runtime; this module uses the CLI install found instead/);
  await run('reg.exe', ['delete', key, '/f']);
  const after = await findCodexInstall({ env: { PATH: '' } });
  assert.equal(after.install, undefined);
  assert.ok(after.looked.includes(key));
});
