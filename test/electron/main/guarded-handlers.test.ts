// The one wrapper, over every channel of the contract: handlers here only record that they ran, so
// what is proven is the wrapper's order (sender, then arguments, then the handler) on each channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_CHANNELS, RUNNER_PIPES_IPC, type RequestChannel } from '../../../electron/common/ipc-contract';
import { guardHandlers, type RequestHandlers } from '../../../electron/main/guarded-handlers';
import type { IpcCaller } from '../../../electron/main/ipc-caller';

const ORIGIN = 'codex-runner://panel';
const caller = (contentsId: number, frame: IpcCaller['frame'] = { url: `${ORIGIN}/index.html`, isTop: true }): IpcCaller => ({
  contentsId,
  frame,
  push: () => undefined,
  onGone: () => () => undefined,
});

function recording() {
  const ran: [RequestChannel, unknown[]][] = [];
  const handlers: RequestHandlers = {
    'runner-pipes:list': () => {
      ran.push(['runner-pipes:list', []]);
      return [];
    },
    'runner-pipes:terminate': (_caller, id) => void ran.push(['runner-pipes:terminate', [id]]),
    'runner-pipes:watch': () => void ran.push(['runner-pipes:watch', []]),
    'runner-pipes:unwatch': () => void ran.push(['runner-pipes:unwatch', []]),
  };
  return { ran, guarded: guardHandlers(handlers, { origin: ORIGIN, isAppContents: (id) => id === 1 }) };
}

/** Arguments that pass each channel's declared check. */
const goodArgs = (channel: RequestChannel): unknown[] => RUNNER_PIPES_IPC.requests[channel].args.map(() => 's1');

test('every channel of the contract is guarded, and nothing else is', () => {
  const { guarded } = recording();
  assert.deepEqual(Object.keys(guarded), [...REQUEST_CHANNELS]);
});

test('on every channel an untrusted sender is refused before its arguments are looked at, and the handler never runs', async () => {
  const { ran, guarded } = recording();
  for (const channel of REQUEST_CHANNELS) {
    const handler = guarded[channel] as (c: IpcCaller, a: readonly unknown[]) => Promise<unknown>;
    await assert.rejects(handler(caller(9), [{ bad: 'arguments' }, 1, 2]), { name: 'SenderRefusedError', message: `${channel} refused: sender 9 is not one of the app's windows` });
    await assert.rejects(handler(caller(1, { url: `${ORIGIN}/index.html`, isTop: false }), goodArgs(channel)), { message: `${channel} refused: sender is not the top frame` });
    await assert.rejects(handler(caller(1, { url: 'https://evil.example/', isTop: true }), goodArgs(channel)), { message: `${channel} refused: sender origin https://evil.example is not ${ORIGIN}` });
  }
  assert.deepEqual(ran, []);
});

test('on every channel bad arguments from a trusted sender are refused naming the channel, and the handler never runs', async () => {
  const { ran, guarded } = recording();
  for (const channel of REQUEST_CHANNELS) {
    const handler = guarded[channel] as (c: IpcCaller, a: readonly unknown[]) => Promise<unknown>;
    const tooMany = [...goodArgs(channel), 'extra'];
    await assert.rejects(handler(caller(1), tooMany), (err: Error) => err.name === 'IpcArgumentError' && err.message.startsWith(`${channel} takes `) && err.message.endsWith(`, got ${tooMany.length}`));
  }
  assert.deepEqual(ran, []);
});

test('a trusted sender with good arguments reaches the handler, with the arguments checked and typed', async () => {
  const { ran, guarded } = recording();
  for (const channel of REQUEST_CHANNELS) {
    const handler = guarded[channel] as (c: IpcCaller, a: readonly unknown[]) => Promise<unknown>;
    await handler(caller(1), goodArgs(channel));
  }
  assert.deepEqual(await guarded['runner-pipes:list'](caller(1), []), []);
  assert.deepEqual(ran.slice(0, 4), [
    ['runner-pipes:list', []],
    ['runner-pipes:terminate', ['s1']],
    ['runner-pipes:watch', []],
    ['runner-pipes:unwatch', []],
  ]);
});

test("a handler's own throw comes back as a rejection, never a synchronous throw", async () => {
  const guarded = guardHandlers(
    {
      'runner-pipes:list': () => [],
      'runner-pipes:terminate': (_c, id) => {
        throw new Error(`no session with id ${JSON.stringify(id)}`);
      },
      'runner-pipes:watch': () => undefined,
      'runner-pipes:unwatch': () => undefined,
    },
    { origin: ORIGIN, isAppContents: () => true },
  );
  const pending = guarded['runner-pipes:terminate'](caller(1), ['nope']);
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, { message: 'no session with id "nope"' });
});
