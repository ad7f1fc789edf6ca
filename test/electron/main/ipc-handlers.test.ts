// The main-side handlers against a real SessionManager running real sessions through the real
// runner over real sockets. Callers are built by the real callerFromEvent (what register-ipc.ts
// does for every ipcMain call) from an event whose sender is a STAND-IN for Electron's
// WebContents, which cannot run here: see StandInWebContents for what it models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../../src/main/session/session-manager';
import { REQUEST_CHANNELS, type PoolStatus, type PushChannel, type RunnerPipesUpdate } from '../../../electron/common/ipc-contract';
import { callerFromEvent, type CallerContents, type IpcCaller } from '../../../electron/main/ipc-caller';
import { createRunnerPipesHandlers } from '../../../electron/main/ipc-handlers';

const ORIGIN = 'codex-runner://panel';
const SESSIONS_PUSH = 'runner-pipes:sessions' satisfies PushChannel;

/**
 * Stand-in for Electron's WebContents, limited to what callers use, with Electron's behaviour:
 * a Node EventEmitter (WebContents is one), a fixed numeric id, `send` delivering to the page
 * (recorded here) and throwing once destroyed ("Object has been destroyed", as Electron does),
 * and `destroyed` emitted exactly once when the window goes, `isDestroyed()` true from then on.
 */
class StandInWebContents extends EventEmitter implements CallerContents {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  private destroyedFlag = false;

  constructor(readonly id: number) {
    super();
  }

  isDestroyed(): boolean {
    return this.destroyedFlag;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyedFlag) throw new TypeError('Object has been destroyed');
    this.sent.push({ channel, args });
    this.emit('test:sent');
  }

  destroy(): void {
    if (this.destroyedFlag) return;
    this.destroyedFlag = true;
    this.emit('destroyed');
  }
}

/** One app window: every call builds a fresh caller from a fresh event, as ipcMain does. */
function appWindow(contentsId = 1, frame: { url: string; parent: unknown } | null = { url: `${ORIGIN}/index.html`, parent: null }) {
  const contents = new StandInWebContents(contentsId);
  const pushes = (): RunnerPipesUpdate[] => contents.sent.filter((m) => m.channel === SESSIONS_PUSH).map((m) => m.args[0] as RunnerPipesUpdate);
  return {
    contents,
    caller: (): IpcCaller => callerFromEvent({ sender: contents, senderFrame: frame }),
    pushes,
    pushed: (match: (u: RunnerPipesUpdate) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => pushes().some(match) && (contents.off('test:sent', check), resolve());
        contents.on('test:sent', check);
        check();
      }),
  };
}

// The manager opts in to this project's runner running an unenforced profile, as the app does
// (examples/electron-demo/main.ts); on Windows the runner refuses the default profile otherwise.
function setUp(manager = new SessionManager({ defaults: { runner: { kind: 'bundled', allowUnenforcedPolicy: true } } })) {
  const ipc = createRunnerPipesHandlers({ manager, policy: { origin: ORIGIN, isAppContents: (id) => id === 1 || id === 2 }, pushIntervalMs: 50 });
  return { manager, ipc, h: ipc.handlers };
}

test('there is one handler per request channel of the contract', () => {
  const { ipc, manager } = setUp();
  assert.deepEqual(Object.keys(ipc.handlers).sort(), [...REQUEST_CHANNELS].sort());
  ipc.dispose();
  assert.equal(manager.listenerCount('change'), 0);
});

test('untrusted senders are refused before anything else is looked at', async () => {
  const { h, ipc } = setUp();
  const iframe = appWindow(1, { url: `${ORIGIN}/index.html`, parent: {} });
  await assert.rejects(h['runner-pipes:list'](iframe.caller(), []), { name: 'SenderRefusedError', message: 'runner-pipes:list refused: sender is not the top frame' });
  await assert.rejects(h['runner-pipes:terminate'](appWindow(9).caller(), [42]), { message: "runner-pipes:terminate refused: sender 9 is not one of the app's windows" });
  const stranger = appWindow(9);
  await assert.rejects(h['runner-pipes:watch'](stranger.caller(), []), /refused/);
  assert.equal(stranger.contents.listenerCount('destroyed'), 0); // a refused watch leaves nothing on the window
  await assert.rejects(h['runner-pipes:watch'](appWindow(1, null).caller(), []), { message: 'runner-pipes:watch refused: sender frame is gone' });
  ipc.dispose();
});

test('bad arguments and unknown ids are rejected with specific messages', async () => {
  const { h, ipc } = setUp();
  const w = appWindow();
  await assert.rejects(h['runner-pipes:terminate'](w.caller(), [42]), { name: 'IpcArgumentError', message: 'runner-pipes:terminate: session id must be a string, got number' });
  await assert.rejects(h['runner-pipes:terminate'](w.caller(), ['nope']), { message: 'runner-pipes:terminate: no session with id "nope"' });
  await assert.rejects(h['runner-pipes:list'](w.caller(), ['extra']), { message: 'runner-pipes:list takes no arguments, got 1' });
  await assert.rejects(h['runner-pipes:watch'](w.caller(), ['extra']), { message: 'runner-pipes:watch takes no arguments, got 1' });
  assert.equal(w.contents.listenerCount('destroyed'), 0);
  ipc.dispose();
});

test('a watching window gets coalesced pushes of sessions and pools that end with the final state', async () => {
  const { manager, ipc, h } = setUp();
  const w = appWindow();
  let changes = 0;
  manager.on('change', () => changes++);
  await h['runner-pipes:watch'](w.caller(), []);
  // 400 small writes, each its own frame: many more changes than a window should see.
  const script = "let i=0;(function w(){if(i++<400){process.stdout.write('x',w)}else{process.exitCode=5}})()";
  const session = manager.start({ command: [process.execPath, '-e', script] });
  session.stdout.resume();
  const result = await session.exited;
  assert.equal(result.exitCode, 5);
  await w.pushed((u) => u.sessions[0]?.state === 'exited');
  const last = w.pushes().at(-1)!;
  assert.deepEqual(last, { sessions: manager.list(), pools: [], readiness: [] }); // the final state, counters included; no pool yet
  assert.equal(last.sessions[0]!.traffic.stdout.bytes, 400);
  assert.ok(w.pushes().length < changes, `${w.pushes().length} pushes for ${changes} changes`);
  ipc.dispose();
  await manager.dispose();
});

test('pushes carry what the manager reports for its warm-runner pools', async () => {
  // The pool is being built elsewhere; this manager overrides only what the pool will report.
  let pools: PoolStatus[] = [];
  class ManagerWithPools extends SessionManager {
    override poolStatus(): PoolStatus[] {
      return pools;
    }
  }
  const { manager, ipc, h } = setUp(new ManagerWithPools());
  const w = appWindow();
  await h['runner-pipes:watch'](w.caller(), []);
  assert.deepEqual(w.pushes(), [{ sessions: [], pools: [], readiness: [] }]);
  pools = [{ identity: 'codex-command-runner.exe as CodexSandboxOffline, v6', idle: 2, starting: 1 }];
  manager.emit('change', '');
  await w.pushed((u) => u.pools.length === 1);
  assert.deepEqual(w.pushes().at(-1), { sessions: [], pools, readiness: [] });
  ipc.dispose();
  await manager.dispose();
});

test('terminate ends a running session; repeating it on the ended session is a no-op', async () => {
  const { manager, ipc, h } = setUp();
  const w = appWindow();
  const session = manager.start({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] });
  session.stdout.resume();
  await new Promise<void>((resolve) => {
    const check = () => session.status().state === 'running' && (manager.off('change', check), resolve());
    manager.on('change', check);
  });
  await h['runner-pipes:terminate'](w.caller(), [session.id]);
  await session.exited;
  assert.equal(session.status().state, 'exited');
  await h['runner-pipes:terminate'](w.caller(), [session.id]);
  ipc.dispose();
  await manager.dispose();
});

test('watchers are per window and go away with their window or on unwatch', async () => {
  const { ipc, h, manager } = setUp();
  const one = appWindow(1), two = appWindow(2);
  await h['runner-pipes:watch'](one.caller(), []);
  await h['runner-pipes:watch'](two.caller(), []);
  await h['runner-pipes:watch'](two.caller(), []); // a reload watches again: still one watcher
  assert.equal(ipc.watcherCount(), 2);
  assert.deepEqual(one.pushes(), [{ sessions: [], pools: [], readiness: [] }]); // the current (empty) state comes first
  one.contents.destroy();
  assert.equal(ipc.watcherCount(), 1);
  assert.equal(one.contents.listenerCount('destroyed'), 0);
  await h['runner-pipes:unwatch'](two.caller(), []);
  assert.equal(ipc.watcherCount(), 0);
  ipc.dispose();
  await manager.dispose();
});

test('1000 watch/unwatch cycles leave exactly one window-gone listener, removed when the window goes', async () => {
  const { ipc, h, manager } = setUp();
  const w = appWindow(1);
  for (let i = 0; i < 1000; i++) {
    await h['runner-pipes:watch'](w.caller(), []);
    await h['runner-pipes:unwatch'](w.caller(), []);
  }
  assert.equal(w.contents.listenerCount('destroyed'), 1);
  assert.equal(ipc.watcherCount(), 0);
  assert.equal(w.pushes().length, 1000); // each watch got the current state at once
  await h['runner-pipes:watch'](w.caller(), []);
  assert.equal(w.contents.listenerCount('destroyed'), 1);
  assert.equal(ipc.watcherCount(), 1);
  w.contents.destroy();
  assert.equal(w.contents.listenerCount('destroyed'), 0);
  assert.equal(ipc.watcherCount(), 0);
  // Changes after the window went reach nobody (a send to a destroyed contents would throw).
  manager.emit('change', '');
  await new Promise((resolve) => setTimeout(resolve, 80));
  ipc.dispose();
  await manager.dispose();
});

test('dispose removes the window-gone listener of every window still open', async () => {
  const { ipc, h, manager } = setUp();
  const one = appWindow(1), two = appWindow(2);
  await h['runner-pipes:watch'](one.caller(), []);
  await h['runner-pipes:watch'](two.caller(), []);
  await h['runner-pipes:unwatch'](two.caller(), []);
  assert.deepEqual([one.contents.listenerCount('destroyed'), two.contents.listenerCount('destroyed')], [1, 1]);
  ipc.dispose();
  assert.deepEqual([one.contents.listenerCount('destroyed'), two.contents.listenerCount('destroyed')], [0, 0]);
  assert.equal(manager.listenerCount('change'), 0);
  await manager.dispose();
});

test('a watch from a window destroyed while the call was in flight is forgotten at once', async () => {
  const { ipc, h, manager } = setUp();
  const w = appWindow(1);
  w.contents.destroy();
  await h['runner-pipes:watch'](w.caller(), []);
  await Promise.resolve(); // the gone notice is queued, never called from inside the watch
  assert.equal(ipc.watcherCount(), 0);
  assert.deepEqual(w.pushes(), []); // nothing was sent to the destroyed contents
  ipc.dispose();
  await manager.dispose();
});

test("a session outside codex's sandbox gets no readiness line, though it has a codexHome: nothing is read, before or after it ends", async () => {
  const codexHome = mkdtempSync(path.join(os.tmpdir(), 'ipc-readiness-'));
  const reads: unknown[] = [];
  const manager = new SessionManager({ defaults: { runner: { kind: 'bundled', codexHome, allowUnenforcedPolicy: true } } });
  const ipc = createRunnerPipesHandlers({
    manager,
    policy: { origin: ORIGIN, isAppContents: (id) => id === 1 },
    pushIntervalMs: 20,
    readReadiness: async (use) => {
      reads.push(use);
      return { state: 'ready', reasons: [] };
    },
  });
  const w = appWindow();
  try {
    await ipc.handlers['runner-pipes:watch'](w.caller(), []);
    const session = manager.start({ command: [process.execPath, '-e', 'setTimeout(()=>{},100)'] });
    await w.pushed((u) => u.sessions.some((s) => s.state === 'running'));
    await session.exited;
    await w.pushed((u) => u.sessions.some((s) => s.state === 'exited'));
    assert.equal(manager.list()[0]!.codexHome, codexHome);
    assert.deepEqual(reads, []);
    assert.ok(w.pushes().every((u) => u.readiness.length === 0));
  } finally {
    ipc.dispose();
    await manager.dispose();
    rmSync(codexHome, { recursive: true, force: true });
  }
});
