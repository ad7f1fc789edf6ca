// The bench's own arithmetic: medians, the interleaving that makes ratios fair on a shared
// machine, and the verdict printed next to each target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { table, verdict } from '../../bench/report';
import { interleaved, median } from '../../bench/stats';

test('median of odd and even counts; no values is an error', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /median of no values/);
});

test('interleaved rounds rotate the order, so no variant always runs first', async () => {
  const order: string[] = [];
  const samples = await interleaved(3, {
    a: async () => (order.push('a'), 1),
    b: async () => (order.push('b'), 2),
    c: async () => (order.push('c'), 3),
  });
  assert.deepEqual(order, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  assert.deepEqual(samples, { a: [1, 1, 1], b: [2, 2, 2], c: [3, 3, 3] });
});

test('verdicts follow each target, and a key without a value is skipped, never met', () => {
  assert.equal(verdict({ key: 'r', value: 0.35, detail: '', target: { op: '>=', value: 0.35 } }), 'met');
  assert.equal(verdict({ key: 'r', value: 0.349, detail: '', target: { op: '>=', value: 0.35 } }), 'MISSED');
  assert.equal(verdict({ key: 'p', value: 20.1, detail: '', target: { op: '<=', value: 20 } }), 'MISSED');
  assert.equal(verdict({ key: 'n', value: 199, detail: '', target: { op: '==', value: 200 } }), 'MISSED');
  assert.equal(verdict({ key: 'w', value: undefined, detail: '', skipped: 'no Wine' }), 'skipped');
});

test('the table has one aligned row per key and shows why a key was skipped', () => {
  const text = table([
    { key: 'throughput_vs_raw_socket', value: 0.52, detail: 'session / relay', target: { op: '>=', value: 0.35 } },
    { key: 'wine_pipe_throughput_vs_node_net_pipe', value: undefined, detail: '', skipped: 'Wine is not installed' },
  ]);
  const lines = text.split('\n');
  assert.equal(lines.length, 4);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'all lines the same width');
  assert.match(lines[2]!, /\| throughput_vs_raw_socket +\| 0\.520 +\| >= 0\.35 \| met +\| session \/ relay/);
  assert.match(lines[3]!, /skipped +\| skipped: Wine is not installed/);
});
