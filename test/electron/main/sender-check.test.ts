import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpcCaller } from '../../../electron/main/ipc-caller';
import { originOf, senderRefusal, type SenderPolicy } from '../../../electron/main/sender-check';

const policy: SenderPolicy = { origin: 'codex-runner://panel', isAppContents: (id) => id === 7 };
const caller = (over: Partial<IpcCaller>): IpcCaller => ({
  contentsId: 7,
  frame: { url: 'codex-runner://panel/index.html', isTop: true },
  push: () => undefined,
  onGone: () => () => undefined,
  ...over,
});

test('the app window top frame at the app origin is trusted', () => {
  assert.equal(senderRefusal(caller({}), policy), null);
});

test('another window, a gone frame, an iframe and another origin are each refused with the reason', () => {
  assert.equal(senderRefusal(caller({ contentsId: 8 }), policy), "sender 8 is not one of the app's windows");
  assert.equal(senderRefusal(caller({ frame: null }), policy), 'sender frame is gone');
  assert.equal(senderRefusal(caller({ frame: { url: 'codex-runner://panel/index.html', isTop: false } }), policy), 'sender is not the top frame');
  assert.equal(senderRefusal(caller({ frame: { url: 'https://evil.example/x', isTop: true } }), policy), 'sender origin https://evil.example is not codex-runner://panel');
  assert.equal(senderRefusal(caller({ frame: { url: 'codex-runner://other/index.html', isTop: true } }), policy), 'sender origin codex-runner://other is not codex-runner://panel');
  assert.equal(senderRefusal(caller({ frame: { url: 'not a url', isTop: true } }), policy), 'sender origin "not a url" is not codex-runner://panel');
});

test('originOf gives scheme://host for custom schemes, where URL.origin says "null"', () => {
  assert.equal(new URL('codex-runner://panel/index.html').origin, 'null');
  assert.equal(originOf('codex-runner://panel/index.html'), 'codex-runner://panel');
  assert.equal(originOf('http://runner-panel.test:8080/a'), 'http://runner-panel.test:8080');
  assert.equal(originOf('::'), null);
});
