// A session with the defaults (`runner: 'codex'`, `codexHome`; no setupHelper, no runner in the home)
// against codex's real install laid out as npm does, its prefix on PATH: the runner is copied from the
// install into `.sandbox-bin` as codex names its copy (codex-command-runner-<release>.exe), and the
// refresh runs the install's own setup helper, which fails here (Wine has no CodexSandboxUsers group)
// with its own code, at preparing_sandbox. The home is "ready" with accounts Wine has (this user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { protectData } from '../../src/os/win32/dpapi';
import { currentUserName } from '../../src/os/win32/sid';
import { SessionManager } from '../../src/main/session/session-manager';
import { npmCodexInstall } from '../helpers/codex-install';
import { runningUnderWine, skipUnlessWindows as skip } from './win32-test-support';

test("default options: the runner copied from codex's install into .sandbox-bin, the install's helper run for the refresh, its own code at preparing_sandbox", { skip: skip || (!runningUnderWine() && 'Wine only: on Windows the refresh would succeed as an administrator') }, async (t) => {
  const npm = npmCodexInstall();
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-install-session-')));
  t.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox'), { recursive: true });
  mkdirSync(path.join(home, '.sandbox-secrets'), { recursive: true });
  mkdirSync(work);
  const me = currentUserName();
  const blob = (await protectData(Buffer.from('not-the-real-password'), 'machine')).toString('base64');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(home, '.sandbox', 'setup_marker.json'), JSON.stringify({ version: 5, offline_username: me, online_username: me, proxy_ports: [], allow_local_binding: false }));
  writeFileSync(path.join(home, '.sandbox-secrets', 'sandbox_users.json'), JSON.stringify({ version: 5, offline: { username: me, password: blob }, online: { username: me, password: blob } }));

  const savedPath = process.env.PATH;
  process.env.PATH = `${savedPath};${npm.prefix}`;
  t.after(() => { process.env.PATH = savedPath; });

  const manager = new SessionManager();
  const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], cwd: work, timeouts: { connectMs: 30_000, spawnReadyMs: 30_000 }, runner: { kind: 'codex', codexHome: home } });
  session.stdout.resume();
  session.stderr.resume();
  const result = await session.exited;
  assert.equal(result.state, 'failed', JSON.stringify(result));
  assert.equal(result.error?.stage, 'preparing_sandbox');
  // The helper's own report (setup_error.json), read back: Wine has no CodexSandboxUsers group.
  assert.match(result.error?.message ?? '', /^sandbox refresh: codex's sandbox setup helper exited with code 1: helper_[a-z_]+: .*CodexSandboxUsers/);
  assert.equal(existsSync(path.join(home, '.sandbox', 'setup_error.json')), true);
  // The runner codex would launch: its install's file, copied as codex names the copy.
  const copies = readdirSync(path.join(home, '.sandbox-bin'));
  assert.deepEqual(copies, [`codex-command-runner-${npm.release}.exe`]);
  assert.equal(statSync(path.join(home, '.sandbox-bin', copies[0]!)).size, statSync(npm.runner).size);
  await manager.dispose();
});

test("a 0.152.1 runner copy with the 0.171.0 install's real helper: the helper's failure says the two are from different releases", { skip: skip || (!runningUnderWine() && 'Wine only: on Windows the refresh would succeed as an administrator') }, async (t) => {
  const npm = npmCodexInstall();
  const releases = path.resolve(__dirname, '..', '..', '..', '.cache', 'codex-releases');
  const oldRunner = path.join(releases, '0.152.1', 'codex-command-runner.exe');
  assert.ok(existsSync(oldRunner), `${oldRunner} is missing: the set-up fetches codex's releases (bash scripts/setup.sh)`);
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-install-mixed-')));
  t.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  const { copyFileSync } = await import('node:fs');
  const copy = path.join(home, '.sandbox-bin', 'codex-command-runner-0.152.1.exe');
  copyFileSync(oldRunner, copy);
  const manager = new SessionManager();
  t.after(() => manager.dispose());
  // codexVersion picks the 0.152.1 copy in .sandbox-bin; codexInstall names the 0.171.0 install.
  const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], cwd: work, runner: { kind: 'codex', codexHome: home, codexInstall: npm.vendor, codexVersion: '0.152.1', refreshSandbox: true }, sandbox: 'current' });
  session.stdout.resume();
  session.stderr.resume();
  const result = await session.exited;
  assert.equal(result.error?.stage, 'preparing_sandbox', JSON.stringify(result));
  const message = result.error!.message;
  assert.match(message, /^sandbox refresh: codex's sandbox setup helper exited with code 1: helper_[a-z_]+: /);
  assert.ok(message.endsWith(`(codex's runner ${copy} is from codex 0.152.1, but the setup helper ${npm.setupHelper} from codex ${npm.release} (${npm.vendor}): they come from different releases)`), message);
});
