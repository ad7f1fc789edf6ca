// The panel's readiness lines, read for real by sandboxReadiness on codex homes made for each case.
// The sessions are given as the status snapshots the manager lists (plain data: the watch's input);
// test/session/codex-sandbox-use.test.ts shows which real sessions carry `codexSandbox`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sandboxReadiness } from '../../../src/main/codex/home/readiness';
import type { CodexSandboxUse, SessionStage, SessionStatus } from '../../../src/main/session/session-status';
import { Session } from '../../../src/main/session/session';
import type { CodexHomeReadiness } from '../../../electron/common/ipc-contract';
import { ReadinessWatch } from '../../../electron/main/readiness-watch';
import { codexHomeScratch, marker, users } from '../../helpers/codex-home-fixture';

const scratch = codexHomeScratch('readiness-watch');
after(() => scratch.dispose());
const BLOB = Buffer.from('not a real DPAPI blob').toString('base64');

/** A file where codex keeps its setup helper, named by the setupHelper option. */
function helperFile(): string {
  const file = path.join(scratch.make().home, 'codex-resources', 'codex-windows-sandbox-setup.exe');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'x');
  return file;
}

let ids = 0;
function status(state: SessionStage, extra: Partial<SessionStatus> = {}): SessionStatus {
  const counter = { bytes: 0, frames: 0 };
  return {
    id: `t${++ids}`,
    command: ['cmd.exe', '/c', 'echo hi'],
    tty: false,
    state,
    stages: [],
    pipes: {},
    policy: { profile: 'workspace-write', enforced: true, note: '' },
    traffic: { stdout: counter, stderr: counter, stdin: counter, toRunner: counter, fromRunner: counter },
    ...extra,
  };
}
const using = (state: SessionStage, use: CodexSandboxUse, id?: string) => ({ ...status(state, { codexHome: use.codexHome, codexSandbox: use }), ...(id ? { id } : {}) });
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

/** onUpdate calls, and a wait for the n-th (bounded by the test's timeout). */
function updates() {
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    onUpdate: () => {
      count++;
      for (const w of waiters.filter((w) => w.n <= count)) w.resolve();
    },
    nth: (n: number) => (n <= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    get count() {
      return count;
    },
  };
}

test('(a) a session ending while its home is being read: the home is read again once that read finishes, and the panel shows the new state', { timeout: 20_000 }, async () => {
  const f = scratch.make();
  const use: CodexSandboxUse = { codexHome: f.home, setupHelper: helperFile(), networkRestricted: true };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstDone!: () => void;
  const firstRead = new Promise<void>((resolve) => (firstDone = resolve));
  let reads = 0;
  const u = updates();
  // The real read; the first one's answer is held back until the test lets it go, as a slow read is.
  const watch = new ReadinessWatch(u.onUpdate, async (x) => {
    reads++;
    const r = await sandboxReadiness({ codexHome: x.codexHome, ...(x.setupHelper ? { setupHelper: x.setupHelper } : {}), networkRestricted: x.networkRestricted });
    if (reads === 1) {
      firstDone();
      await released;
    }
    return { state: r.state, reasons: r.reasons };
  });
  watch.sessionsChanged([using('running', use, 'one')]);
  await firstRead;
  // The first read has seen the fresh home. Meanwhile setup runs and the session ends.
  f.writeMarker(marker());
  f.writeUsers(users(BLOB, BLOB));
  watch.sessionsChanged([using('exited', use, 'one')]);
  release();
  await u.nth(1);
  assert.deepEqual(codes(watch.list()[0]!).slice(0, 2), ['marker_missing', 'users_missing']); // the stale answer first
  await u.nth(2); // lost before: no second read was ever made
  assert.equal(reads, 2);
  assert.ok(!codes(watch.list()[0]!).includes('marker_missing'), `the re-read sees the marker: ${JSON.stringify(watch.list())}`);
  watch.dispose();
});

test("(b) each line is read with its sessions' codexInstall, setupHelper and network, as their gate reads it", async () => {
  const f = scratch.make();
  const proxied = scratch.make(); // set up for a proxy port the sessions do not ask for
  proxied.writeMarker(marker(5, { proxy_ports: [8080] }));
  proxied.writeUsers(users(BLOB, BLOB));
  const helper = helperFile();
  const uses: CodexSandboxUse[] = [
    { codexHome: f.home, setupHelper: helper, networkRestricted: true },
    { codexHome: f.home, codexInstall: path.join(f.home, 'no-such-install'), networkRestricted: true },
    { codexHome: proxied.home, setupHelper: helper, networkRestricted: true },
    { codexHome: proxied.home, setupHelper: helper, networkRestricted: false },
  ];
  const u = updates();
  const watch = new ReadinessWatch(u.onUpdate); // the default reader
  watch.sessionsChanged(uses.map((x) => using('running', x)));
  await u.nth(uses.length);
  const lines = watch.list();
  assert.equal(lines.length, uses.length, JSON.stringify(lines));
  for (const x of uses) {
    const line = lines.find((l) => l.codexHome === x.codexHome && l.codexInstall === x.codexInstall && l.setupHelper === x.setupHelper && l.networkRestricted === x.networkRestricted);
    assert.ok(line, `a line for ${JSON.stringify(x)}`);
    const { state, reasons } = await sandboxReadiness(x);
    assert.deepEqual({ state: line.state, reasons: line.reasons }, { state, reasons });
  }
  const find = (i: number) => lines.find((l) => l.codexHome === uses[i]!.codexHome && l.codexInstall === uses[i]!.codexInstall && l.networkRestricted === uses[i]!.networkRestricted)!;
  assert.ok(!codes(find(0)).includes('helper_missing'), 'the setupHelper given is found');
  assert.ok(codes(find(1)).includes('install_unsupported'), 'the codexInstall given is the one looked at');
  assert.ok(codes(find(2)).includes('proxy_settings_changed'), "the offline user's marker must match");
  assert.ok(!codes(find(3)).includes('proxy_settings_changed'), 'the online user has no proxy settings');
  watch.dispose();
});

test('(b) sessions with the same options share one line and one read', async () => {
  const use: CodexSandboxUse = { codexHome: scratch.make().home, setupHelper: helperFile(), networkRestricted: true };
  let reads = 0;
  const u = updates();
  const watch = new ReadinessWatch(u.onUpdate, async (x) => {
    reads++;
    const { state, reasons } = await sandboxReadiness(x);
    return { state, reasons };
  });
  watch.sessionsChanged([using('running', { ...use }), using('queued', { ...use })]);
  await u.nth(1);
  assert.equal(reads, 1);
  assert.equal(watch.list().length, 1);
  watch.dispose();
});

test("(c) sessions outside codex's sandbox get no line, even with a codexHome; a real Linux session with runner 'codex' has none", async () => {
  const home = scratch.make().home;
  let reads = 0;
  const watch = new ReadinessWatch(
    () => assert.fail('nothing to update'),
    async () => {
      reads++;
      return { state: 'ready', reasons: [] };
    },
  );
  const real = new Session({ command: ['true'], runner: 'codex', codexHome: home });
  if (process.platform !== 'win32') assert.equal(real.status().codexSandbox, undefined);
  const sessions = [status('running', { codexHome: home }), status('exited', { codexHome: home }), ...(process.platform !== 'win32' ? [real.status()] : [])];
  watch.sessionsChanged(sessions);
  watch.sessionsChanged(sessions);
  assert.equal(reads, 0); // a read starts within sessionsChanged
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(watch.list(), [] as CodexHomeReadiness[]);
  watch.dispose();
});

test('a home no longer in use is dropped, and a read finishing after that shows nothing', async () => {
  const use: CodexSandboxUse = { codexHome: scratch.make().home, setupHelper: helperFile(), networkRestricted: true };
  const u = updates();
  const reads: Promise<unknown>[] = [];
  const watch = new ReadinessWatch(u.onUpdate, (x) => {
    const read = sandboxReadiness(x).then(({ state, reasons }) => ({ state, reasons }));
    reads.push(read);
    return read;
  });
  watch.sessionsChanged([using('running', use)]);
  watch.sessionsChanged([]);
  await reads[0];
  await new Promise((r) => setImmediate(r)); // the watch's own continuation of that read
  assert.deepEqual(watch.list(), []);
  assert.equal(u.count, 0);
  watch.sessionsChanged([using('running', use)]);
  await u.nth(1);
  assert.equal(watch.list().length, 1);
  watch.dispose();
});
