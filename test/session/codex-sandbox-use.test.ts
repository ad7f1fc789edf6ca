// Which sessions carry `codexSandbox` in their status (what the panel reads readiness with): those
// that log on as codex's sandbox users on Windows, with the options their own gate reads it with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { resolvePermissions } from '../../src/protocol/permissions';
import { codexSandboxUse } from '../../src/main/session/codex-sandbox-use';
import { Session } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';

const home = path.resolve('codex-home-for-test');
const helper = path.resolve('helper', 'codex-windows-sandbox-setup.exe');
const install = path.resolve('codex-install');
const use = (o: Partial<SessionConfig>, platform: NodeJS.Platform) => {
  const options: SessionConfig = { command: ['cmd.exe'], ...o };
  return codexSandboxUse(options, resolvePermissions(options.permissions), platform);
};

test("Windows, runner 'codex' with its default sandbox ('codex'): the home, codexInstall, setupHelper and the network as the gate reads them", () => {
  assert.deepEqual(use({ runner: 'codex', codexHome: home }, 'win32'), { codexHome: home, networkRestricted: true });
  assert.deepEqual(use({ runner: 'codex', sandbox: 'codex', codexHome: home, codexInstall: install, setupHelper: helper }, 'win32'), { codexHome: home, codexInstall: install, setupHelper: helper, networkRestricted: true });
  assert.deepEqual(use({ runner: 'codex', codexHome: home, permissions: 'full-access' }, 'win32'), { codexHome: home, networkRestricted: false });
  assert.deepEqual(use({ runner: 'codex', codexHome: home, permissions: 'read-only' }, 'win32'), { codexHome: home, networkRestricted: true });
});

test("none outside codex's sandbox users: sandbox 'current', another account, this project's runner, no codexHome", () => {
  assert.equal(use({ runner: 'codex', sandbox: 'current', codexHome: home }, 'win32'), undefined);
  assert.equal(use({ runner: 'codex', sandbox: { username: 'someone' }, codexHome: home }, 'win32'), undefined);
  assert.equal(use({ codexHome: home }, 'win32'), undefined);
  assert.equal(use({ runner: { exe: 'C:\\r.exe' }, codexHome: home }, 'win32'), undefined);
  assert.equal(use({ runner: 'codex' }, 'win32'), undefined);
});

test('none off Windows, whatever the options (no sandbox users there)', () => {
  for (const platform of ['linux', 'darwin'] as const) {
    assert.equal(use({ runner: 'codex', codexHome: home }, platform), undefined);
    assert.equal(use({ runner: 'codex', sandbox: 'codex', codexHome: home, setupHelper: helper }, platform), undefined);
  }
});

test("a real session's status carries it as the session's options give it (this platform)", () => {
  const given = { command: [process.execPath, '-e', '0'], runner: 'codex' as const, codexHome: home, setupHelper: helper, permissions: 'full-access' as const };
  const status = new Session(given).status();
  assert.equal(status.codexHome, home);
  assert.deepEqual(status.codexSandbox, process.platform === 'win32' ? { codexHome: home, setupHelper: helper, networkRestricted: false } : undefined);
  assert.equal(new Session({ command: [process.execPath, '-e', '0'], codexHome: home }).status().codexSandbox, undefined);
});
