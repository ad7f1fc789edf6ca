// The panel's readiness lines on Windows, with the Windows node (under Wine here): real sessions'
// statuses feed the watch, which reads each codex home with their options through the real
// sandboxReadiness (NetUserGetInfo on the accounts the users file names). Sessions of codex's
// sandbox users get a line; one of this project's runner in the same home adds none.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxReadiness } from '../../src/main/codex/home/readiness';
import { currentUserName } from '../../src/os/win32/sid';
import { Session } from '../../src/main/session/session';
import { SessionManager } from '../../src/main/session/session-manager';
import { ReadinessWatch } from '../../electron/main/readiness-watch';
import { codexHomeScratch, marker } from '../helpers/codex-home-fixture';
import { skipUnlessWindows as skip } from './win32-test-support';

const scratch = codexHomeScratch('panel-readiness');
after(() => scratch.dispose());
const command = ['cmd.exe', '/d', '/c', 'echo hi'];

test("a runner 'codex' session in a fresh home: it fails at preparing, and the panel's one line for that home says not configured", { skip }, async () => {
  const home = scratch.make().home;
  const manager = new SessionManager({ defaults: { runner: { kind: 'bundled', codexHome: home, allowUnenforcedPolicy: true } } });
  let updates = 0;
  let updated!: () => void;
  const first = new Promise<void>((resolve) => (updated = resolve));
  const watch = new ReadinessWatch(() => {
    updates++;
    updated();
  });
  try {
    const session = manager.start({ command, runner: { kind: 'codex', codexHome: home } });
    await session.exited.catch(() => undefined);
    const status = session.status();
    assert.equal(status.failure?.stage, 'preparing');
    assert.deepEqual(status.codexSandbox, { codexHome: home, networkRestricted: true });
    // This project's runner in the same home, as the manager lists it before it starts.
    const plain = new Session({ command, codexHome: home, allowUnenforcedPolicy: true }).status();
    assert.equal(plain.codexSandbox, undefined);
    watch.sessionsChanged([...manager.list(), plain]);
    await first;
    const lines = watch.list();
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.codexHome, home);
    assert.equal(lines[0]!.state, 'not_configured');
    assert.deepEqual(lines[0]!.reasons.map((r) => r.code).slice(0, 2), ['marker_missing', 'users_missing']);
    assert.equal(updates, 1);
  } finally {
    watch.dispose();
    await manager.dispose();
  }
});

test("a set-up home read with each session's setupHelper: ready for the session naming it, as its gate reads it; the other's line differs only as readiness does", { skip }, async () => {
  const me = currentUserName();
  const blob = Buffer.from('blob').toString('base64');
  const f = scratch.make();
  f.writeMarker(marker(5, { offline_username: me, online_username: me }));
  f.writeUsers({ version: 5, offline: { username: me, password: blob }, online: { username: me, password: blob } });
  const helper = `${scratch.make().home}\\codex-resources\\codex-windows-sandbox-setup.exe`;
  f.writeRaw(helper, 'x');
  const withHelper = new Session({ command, runner: 'codex', codexHome: f.home, setupHelper: helper }).status();
  const without = new Session({ command, runner: 'codex', codexHome: f.home }).status();
  let updates = 0;
  let both!: () => void;
  const done = new Promise<void>((resolve) => (both = resolve));
  const watch = new ReadinessWatch(() => {
    if (++updates === 2) both();
  });
  try {
    watch.sessionsChanged([withHelper, without]);
    await done;
    const lines = watch.list();
    assert.equal(lines.length, 2, JSON.stringify(lines));
    const ready = lines.find((l) => l.setupHelper === helper)!;
    assert.deepEqual({ state: ready.state, reasons: ready.reasons }, { state: 'ready', reasons: [] });
    const other = lines.find((l) => l.setupHelper === undefined)!;
    const expected = await sandboxReadiness({ codexHome: f.home });
    assert.deepEqual({ state: other.state, reasons: other.reasons }, { state: expected.state, reasons: expected.reasons });
  } finally {
    watch.dispose();
  }
});
