import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedPush } from '../../../electron/main/coalesced-push';

test('a burst of changes becomes one push at once and one trailing push with the final state', async () => {
  let state = 0;
  const sent: number[] = [];
  let onFinal!: () => void;
  const final = new Promise<void>((resolve) => (onFinal = resolve));
  const push = new CoalescedPush({
    intervalMs: 100,
    read: () => state,
    send: (s) => {
      sent.push(s);
      if (s === 1000) onFinal();
    },
  });
  for (let i = 1; i <= 1000; i++) {
    state = i;
    push.poke();
  }
  // The first poke sends at once; the other 999 (one synchronous loop, far under 100 ms) wait.
  assert.deepEqual(sent, [1]);
  await final;
  assert.deepEqual(sent, [1, 1000]);
  push.dispose();
});

test('after dispose nothing is sent, not even a pending trailing push', () => {
  const sent: number[] = [];
  const push = new CoalescedPush({ intervalMs: 60_000, read: () => 1, send: (s) => sent.push(s) });
  push.poke();
  push.poke(); // schedules a trailing push a minute out
  push.dispose(); // clears it: the test process would otherwise stay alive for that minute
  push.poke();
  assert.deepEqual(sent, [1]);
});
