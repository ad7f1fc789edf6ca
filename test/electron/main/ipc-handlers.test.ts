// The main-side handlers against a real SessionManager running real sessions through the real
// runner over real sockets; only the caller (normally built from an Electron IPC event) is
// described by hand, as a plain object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../../src/session/session-manager';
import { INVOKE_CHANNELS, type SessionStatus } from '../../../electron/common/ipc-contract';
import type { IpcCaller } from '../../../electron/main/ipc-caller';
import { createRunnerPipesHandlers } from '../../../electron/main/ipc-handlers';

const ORIGIN = 'codex-runner://panel';

type TestCaller = IpcCaller & { pushes: SessionStatus[][]; gone(): void; pushed(match: (s: SessionStatus[]) => boolean): Promise<void> };

function appCaller(contentsId = 1): TestCaller {
  const goneListeners: (() => void)[] = [];
  const pushes: SessionStatus[][] = [];
  const waiters: { match: (s: SessionStatus[]) => boolean; resolve: () => void }[] = [];
  return {
    contentsId,
    frame: { url: `${ORIGIN}/index.html`, isTop: true },
    push: (s) => {
      pushes.push(s);
      for (const w of waiters.filter((w) => w.match(s))) w.resolve();
    },
    onGone: (l) => goneListeners.push(l),
    pushes,
    gone: () => goneListeners.forEach((l) => l()),
    pushed: (match) => (pushes.some(match) ? Promise.resolve() : new Promise((resolve) => waiters.push({ match, resolve }))),
  };
}

function setUp() {
  const manager = new SessionManager();
  const ipc = createRunnerPipesHandlers({ manager, policy: { origin: ORIGIN, isAppContents: (id) => id === 1 || id === 2 }, pushIntervalMs: 50 });
  return { manager, ipc, h: ipc.handlers };
}

test('there is one handler per invoke channel of the contract', () => {
  const { ipc, manager } = setUp();
  assert.deepEqual(Object.keys(ipc.handlers).sort(), [...INVOKE_CHANNELS].sort());
  ipc.dispose();
  assert.equal(manager.listenerCount('change'), 0);
});

test('untrusted senders are refused before anything else is looked at', async () => {
  const { h, ipc } = setUp();
  const iframe = { ...appCaller(), frame: { url: `${ORIGIN}/index.html`, isTop: false } };
  await assert.rejects(h['runner-pipes:list'](iframe, []), { name: 'SenderRefusedError', message: 'runner-pipes:list refused: sender is not the top frame' });
  await assert.rejects(h['runner-pipes:terminate'](appCaller(9), [42]), { message: "runner-pipes:terminate refused: sender 9 is not one of the app's windows" });
  await assert.rejects(h['runner-pipes:watch'](appCaller(9), []), /refused/);
  ipc.dispose();
});

test('bad arguments and unknown ids are rejected with specific messages', async () => {
  const { h, ipc } = setUp();
  await assert.rejects(h['runner-pipes:terminate'](appCaller(), [42]), { name: 'IpcArgumentError', message: 'runner-pipes:terminate: session id must be a string, got number' });
  await assert.rejects(h['runner-pipes:terminate'](appCaller(), ['nope']), { message: 'runner-pipes:terminate: no session with id "nope"' });
  await assert.rejects(h['runner-pipes:list'](appCaller(), ['extra']), { message: 'runner-pipes:list takes no arguments, got 1' });
  ipc.dispose();
});

test('a watching window gets coalesced pushes that end with the final state', async () => {
  const { manager, ipc, h } = setUp();
  const caller = appCaller();
  let changes = 0;
  manager.on('change', () => changes++);
  await h['runner-pipes:watch'](caller, []);
  // 400 small writes, each its own frame: many more changes than a window should see.
  const script = "let i=0;(function w(){if(i++<400){process.stdout.write('x',w)}else{process.exitCode=5}})()";
  const session = manager.start({ command: [process.execPath, '-e', script] });
  session.stdout.resume();
  const result = await session.exited;
  assert.equal(result.exitCode, 5);
  await caller.pushed((s) => s[0]?.state === 'exited');
  const last = caller.pushes.at(-1)!;
  assert.deepEqual(last, manager.list()); // the final state, counters included
  assert.equal(last[0]!.traffic.stdout.bytes, 400);
  assert.ok(caller.pushes.length < changes, `${caller.pushes.length} pushes for ${changes} changes`);
  ipc.dispose();
  await manager.dispose();
});

test('terminate ends a running session; repeating it on the ended session is a no-op', async () => {
  const { manager, ipc, h } = setUp();
  const session = manager.start({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] });
  session.stdout.resume();
  await new Promise<void>((resolve) => {
    const check = () => session.status().state === 'running' && (manager.off('change', check), resolve());
    manager.on('change', check);
  });
  await h['runner-pipes:terminate'](appCaller(), [session.id]);
  await session.exited;
  assert.equal(session.status().state, 'exited');
  await h['runner-pipes:terminate'](appCaller(), [session.id]);
  ipc.dispose();
  await manager.dispose();
});

test('watchers are per window and go away with their window or on unwatch', async () => {
  const { ipc, h, manager } = setUp();
  const one = appCaller(1), two = appCaller(2);
  await h['runner-pipes:watch'](one, []);
  await h['runner-pipes:watch'](two, []);
  await h['runner-pipes:watch'](two, []); // a reload watches again: still one watcher
  assert.equal(ipc.watcherCount(), 2);
  assert.deepEqual(one.pushes, [[]]); // the current (empty) list comes first
  one.gone();
  assert.equal(ipc.watcherCount(), 1);
  await h['runner-pipes:unwatch'](two, []);
  assert.equal(ipc.watcherCount(), 0);
  ipc.dispose();
  await manager.dispose();
});
