// What the module prepares for codex's runner, against the real codex binaries under Wine (or on
// Windows): a whole session through codex's 0.171.0 (6-B) and 0.152.1 (6-A) runners with the
// defaults (no capSids, no desktop given), the cap_sid file it creates, the private desktop made,
// shared and closed, codex's real setup helper failing at preparing_sandbox, and `capSids: []`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPrivateDesktop, closePrivateDesktop, desktopExists, privateDesktopDacl, privateDesktopSddl, DESKTOP_ALL_ACCESS, DESKTOP_PARTICIPANT_ACCESS } from '../../src/os/win32/desktop';
import { currentUserSid } from '../../src/os/win32/sid';
import { Session, type SessionResult } from '../../src/main/session/session';
import { SessionManager } from '../../src/main/session/session-manager';
import type { SessionConfig } from '../../src/main/session/session-options';
import type { SessionOptions } from '../../src/main/session/public-options';
import { canonicalPathKey } from '../../src/main/codex/sandbox-prep/capability-sids';
import { runningUnderWine, skipUnlessWindows as skip } from './win32-test-support';

const releases = path.resolve(__dirname, '..', '..', '..', '.cache', 'codex-releases');
const file = (release: string, name: string) => {
  const p = path.join(releases, release, name);
  if (!existsSync(p)) throw new Error(`${p} is missing: the set-up fetches codex's releases (bash scripts/setup.sh)`);
  return p;
};

/** A codex home holding only `.sandbox-bin/codex-command-runner-<release>.exe` (and the helper when asked), and a workspace. */
function codexHome(t: { after(fn: () => void): void }, release: string, withHelper = false): { home: string; work: string } {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-prep-')));
  t.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  copyFileSync(file(release, 'codex-command-runner.exe'), path.join(home, '.sandbox-bin', `codex-command-runner-${release}.exe`));
  if (withHelper) copyFileSync(file(release, 'codex-windows-sandbox-setup.exe'), path.join(home, '.sandbox-bin', 'codex-windows-sandbox-setup.exe'));
  return { home, work };
}

async function finish(session: Session): Promise<{ result: SessionResult; stdout: string }> {
  let stdout = '';
  session.stdout.on('data', (d: Buffer) => (stdout += d));
  session.stderr.resume();
  return { result: await session.exited, stdout };
}

const defaults = (home: string, work: string): SessionConfig => ({
  command: ['cmd.exe', '/d', '/c', 'echo prepared'],
  cwd: work,
  runner: 'codex',
  sandbox: 'current',
  codexHome: home,
  // Wine has no CodexSandboxUsers group: codex's helper cannot refresh here (its failure has a test below).
  refreshSandbox: false,
  connectTimeoutMs: 30_000,
  spawnReadyTimeoutMs: 30_000,
});
/** The same, as an app gives them to a SessionManager. */
const grouped = (home: string, work: string): SessionOptions => ({
  command: ['cmd.exe', '/d', '/c', 'echo prepared'],
  cwd: work,
  runner: { kind: 'codex', codexHome: home, refreshSandbox: false },
  sandbox: 'current',
  timeouts: { connectMs: 30_000, spawnReadyMs: 30_000 },
});

test("the private desktop: upstream's name form and DACL, read back from the OS; gone once closed", { skip }, () => {
  const me = currentUserSid();
  const desktop = createPrivateDesktop(me, me);
  try {
    assert.match(desktop.name, /^CodexSandboxDesktop-[0-9a-f]{32}$/);
    assert.equal(privateDesktopSddl(me, 'S-1-5-21-1-2-3-4'), `D:P(A;;0x${DESKTOP_ALL_ACCESS.toString(16)};;;${me})(A;;0x${DESKTOP_PARTICIPANT_ACCESS.toString(16)};;;S-1-5-21-1-2-3-4)`);
    assert.equal(DESKTOP_ALL_ACCESS, 0xf01ff);
    assert.equal(DESKTOP_PARTICIPANT_ACCESS, 0x201ff);
    const dacl = privateDesktopDacl(desktop);
    if (runningUnderWine()) {
      // Wine keeps no security descriptor on window objects (seen here): it reads back empty.
      assert.equal(dacl, '');
    } else {
      // Protected, and only the two ACEs: the owner's and the sandbox user's (here both are this user).
      assert.match(dacl, /^D:P\(A;;[^;]*;;;S-[\d-]+\)\(A;;[^;]*;;;S-[\d-]+\)$/, dacl);
      assert.ok(dacl.includes(me), `the DACL names the owner: ${dacl}`);
    }
    assert.equal(desktopExists(desktop.name), true);
  } finally {
    closePrivateDesktop(desktop);
  }
  assert.equal(desktopExists(desktop.name), false);
});

test("codex's real 0.171.0 runner (6-B) runs a command with the defaults: cap_sid made, SIDs and desktop sent and shown", { skip, timeout: 120_000 }, async (t) => {
  const { home, work } = codexHome(t, '0.171.0');
  const session = new Session(defaults(home, work));
  void session.start();
  const { result, stdout } = await finish(session);
  assert.equal(result.error?.message, undefined);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0]);
  assert.equal(stdout.trim(), 'prepared');
  const status = session.status();
  assert.deepEqual(status.stages.slice(0, 3).map((s) => s.stage), ['preparing', 'preparing_sandbox', 'creating_pipes']);
  assert.equal(status.protocol?.version, 6);
  const caps = JSON.parse(readFileSync(path.join(home, 'cap_sid'), 'utf8'));
  const cwdSid = caps.workspace_by_cwd[await canonicalPathKey(work)];
  assert.match(cwdSid, /^S-1-5-21-\d+-\d+-\d+-\d+$/);
  assert.ok(status.sandboxPrep?.capSids.includes(cwdSid), 'the cwd\'s SID was sent');
  assert.equal(status.sandboxPrep?.capSidsFrom, path.join(home, 'cap_sid'));
  assert.match(status.sandboxPrep?.desktop ?? '', /^CodexSandboxDesktop-[0-9a-f]{32}$/);
  assert.equal(status.sandboxPrep?.refresh, 'off');
  assert.equal(desktopExists(status.sandboxPrep!.desktop!), false, 'a lone session closes its desktop when it ends');
});

test("one desktop per account for a manager's sessions, 6-A (0.152.1) and 6-B alike, closed at dispose", { skip, timeout: 180_000 }, async (t) => {
  const manager = new SessionManager();
  const b = codexHome(t, '0.171.0');
  const a = codexHome(t, '0.152.1');
  const first = await finish(manager.start(grouped(b.home, b.work)));
  const second = await finish(manager.start(grouped(a.home, a.work)));
  for (const run of [first, second]) assert.deepEqual([run.result.state, run.result.exitCode, run.stdout.trim()], ['exited', 0, 'prepared'], run.result.error?.message);
  const [s1, s2] = manager.list();
  assert.equal(s1?.sandboxPrep?.desktop, s2?.sandboxPrep?.desktop, 'the same account: the same desktop');
  assert.equal(desktopExists(s1!.sandboxPrep!.desktop!), true, 'kept while the manager lives');
  await manager.dispose();
  assert.equal(desktopExists(s1!.sandboxPrep!.desktop!), false);
});

test("codex's real setup helper fails under Wine (no CodexSandboxUsers group): the session fails at preparing_sandbox with its code and message", { skip, timeout: 120_000 }, async (t) => {
  const { home, work } = codexHome(t, '0.171.0', true);
  const session = new Session({ ...defaults(home, work), refreshSandbox: true });
  void session.start();
  const { result } = await finish(session);
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'preparing_sandbox');
  assert.match(result.error?.message ?? '', /^sandbox refresh: codex's sandbox setup helper exited with code \d+: helper_sid_resolve_failed: .+ \(from .*setup_error\.json\)$/);
  assert.equal(session.status().runnerPid, undefined, 'no runner was started');
});

test('capSids: [] fails before launch, saying what is missing', { skip, timeout: 60_000 }, async (t) => {
  const { home, work } = codexHome(t, '0.171.0');
  const session = new Session({ ...defaults(home, work), capSids: [] });
  void session.start();
  const { result } = await finish(session);
  assert.equal(result.error?.stage, 'preparing_sandbox');
  assert.match(result.error?.message ?? '', /^capability SIDs: capSids is an empty list: codex's runner refuses to run without a capability SID/);
  assert.equal(session.status().pipes.in, undefined, 'no pipe was made');
});

test("the requests as today's upstream sends them are taken by older real runners too: 0.147.0 (v5, carve-outs marked skip), 0.145.0 (v4), 0.128.0 (v1, no real_user_sid)", { skip, timeout: 240_000 }, async (t) => {
  for (const [release, version] of [['0.147.0', 5], ['0.145.0', 4], ['0.128.0', 1]] as const) {
    const { home, work } = codexHome(t, release);
    const session = new Session(defaults(home, work));
    void session.start();
    const { result, stdout } = await finish(session);
    assert.equal(result.error?.message, undefined, release);
    assert.deepEqual([result.state, result.exitCode, stdout.trim(), session.status().protocol?.version], ['exited', 0, 'prepared', version], release);
  }
});
