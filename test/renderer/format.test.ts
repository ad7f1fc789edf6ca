import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStatus } from '../../electron/common/ipc-contract';
import { commandLine, formatBytes, formatDuration, stateBadge, summarize, summaryText, timeline, totalDuration } from '../../renderer/format';

const counter = { bytes: 0, frames: 0 };
function status(over: Partial<SessionStatus>): SessionStatus {
  return {
    id: 's1',
    command: ['node', '-e', 'x'],
    tty: false,
    state: 'running',
    stages: [],
    pipes: {},
    policy: { profile: 'workspace-write', enforced: false, note: 'not enforced' },
    traffic: { stdout: counter, stderr: counter, stdin: counter, toRunner: counter, fromRunner: counter },
    ...over,
  };
}

test('durations and sizes read naturally', () => {
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(999.6), '1000 ms');
  assert.equal(formatDuration(1234), '1.23 s');
  assert.equal(formatDuration(15_000), '15.0 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatDuration(-1), '–');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(200 * 1024 * 1024), '200 MiB');
  assert.equal(formatBytes(Number.NaN), '–');
});

test('the timeline gives each stage its duration, the current one counting, the failed one marked', () => {
  const running = status({ stages: [{ stage: 'creating_pipes', at: 1000 }, { stage: 'launching_runner', at: 1004 }, { stage: 'running', at: 1100 }] });
  assert.deepEqual(
    timeline(running, 1600).map((s) => [s.label, s.ms, s.current, s.failedHere]),
    [['create pipes', 4, false, false], ['launch runner', 96, false, false], ['running', 500, true, false]],
  );
  assert.equal(totalDuration(running, 1600), 600);

  const failed = status({
    state: 'failed',
    stages: [{ stage: 'launching_runner', at: 0 }, { stage: 'connecting_in', at: 10 }, { stage: 'failed', at: 15_010 }],
    failure: { stage: 'connecting_in', message: 'runner did not connect to pipe-in within 15000 ms' },
  });
  assert.deepEqual(
    timeline(failed, 99_999).map((s) => [s.stage, s.ms, s.current, s.failedHere]),
    [['launching_runner', 10, false, false], ['connecting_in', 15_000, false, true], ['failed', null, false, false]],
  );
  assert.equal(totalDuration(failed, 99_999), 15_010);
  assert.equal(totalDuration(status({}), 5), null);
});

test('badges, summary and command line', () => {
  assert.deepEqual(stateBadge(status({ state: 'connecting_in' })), { text: 'connect pipe-in', tone: 'active' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 0 })), { text: 'exited 0', tone: 'ok' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 7 })), { text: 'exited 7', tone: 'warn' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 192, timedOut: true })), { text: 'timed out', tone: 'warn' });
  assert.deepEqual(stateBadge(status({ state: 'failed' })), { text: 'failed', tone: 'error' });
  const s = summarize([status({}), status({ state: 'exited' }), status({ state: 'failed' }), status({ state: 'spawn_sent' })]);
  assert.deepEqual(s, { total: 4, active: 2, exited: 1, failed: 1 });
  assert.equal(summaryText(s), '4 sessions: 2 active, 1 exited, 1 failed');
  assert.equal(summaryText(summarize([])), 'No sessions');
  assert.equal(commandLine(['node', '-e', "console.log('a b')", '']), `node -e "console.log('a b')" ""`);
});
