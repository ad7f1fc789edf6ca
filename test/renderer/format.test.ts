import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStatus } from '../../electron/common/ipc-contract';
import { commandLine, endView, formatBytes, formatDuration, policyView, poolItems, poolsText, protocolView, readinessText, runnerView, stateBadge, summarize, summaryText, timeline, totalDuration } from '../../renderer/format';

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

test('a queued session shows the queued stage first, counting, and the wait is part of its total', () => {
  const queued = status({ state: 'queued', stages: [{ stage: 'queued', at: 1000 }] });
  assert.deepEqual(timeline(queued, 1700).map((s) => [s.label, s.ms, s.current]), [['queued', 700, true]]);
  assert.deepEqual(stateBadge(queued), { text: 'queued', tone: 'active' });
  const started = status({ stages: [{ stage: 'queued', at: 0 }, { stage: 'creating_pipes', at: 2500 }, { stage: 'running', at: 2600 }] });
  assert.deepEqual(timeline(started, 3000).map((s) => [s.stage, s.ms, s.current]), [['queued', 2500, false], ['creating_pipes', 100, false], ['running', 400, true]]);
  assert.equal(totalDuration(started, 3000), 3000);
  assert.equal(summarize([queued]).active, 1);
});

test('the protocol reads as version and how it was chosen, the refused versions with their replies', () => {
  assert.deepEqual(protocolView(undefined), { text: '–', refused: [] });
  assert.deepEqual(protocolView({ version: 4, chosen: 'given', refused: [] }), { text: 'v4 · given', refused: [] });
  assert.deepEqual(protocolView({ version: 6, chosen: 'remembered', refused: [] }), { text: 'v6 · remembered', refused: [] });
  assert.deepEqual(
    protocolView({ version: 6, chosen: 'detected', refused: [{ version: 8, reply: 'unsupported protocol version 8\n' }, { version: 7, reply: '  ' }] }),
    { text: 'v6 · detected', refused: ['v8 refused: unsupported protocol version 8', 'v7 refused: (no reply)'] },
  );
});

test('the policy says whether it is enforced and by whom; the label carries the note', () => {
  const notEnforced = { profile: 'workspace-write', enforced: false, note: "this project's runner does not enforce sandbox policies" };
  assert.deepEqual(policyView(notEnforced, { file: '/a/codex-command-runner.js', kind: 'bundled', warm: false }), {
    enforced: false,
    text: "workspace-write — not enforced (this project's runner)",
    label: "policy workspace-write — not enforced (this project's runner): this project's runner does not enforce sandbox policies",
  });
  assert.equal(policyView({ ...notEnforced, profile: 'read-only' }, { file: 'r.exe', kind: 'custom', warm: false }).text, 'read-only — not enforced (a custom runner)');
  // Before the runner is known, and for codex's runner when it did not apply it: the note says why.
  assert.equal(policyView(notEnforced, undefined).text, 'workspace-write — not enforced');
  assert.equal(policyView({ profile: 'custom', enforced: false, note: '' }, { file: 'c.exe', kind: 'codex', warm: true }).label, 'policy custom — not enforced');
  assert.deepEqual(policyView({ profile: 'workspace-write', enforced: true, note: 'applied by codex-command-runner.exe' }, { file: 'C:\\x\\codex-command-runner.exe', kind: 'codex', warm: true }), {
    enforced: true,
    text: 'workspace-write — enforced by codex-command-runner',
    label: 'policy workspace-write — enforced by codex-command-runner: applied by codex-command-runner.exe',
  });
});

test('the runner reads as its file name, kind and warmth; the full path is kept for a title', () => {
  assert.equal(runnerView(undefined), null);
  assert.deepEqual(runnerView({ file: 'C:\\Users\\me\\.codex\\.sandbox-bin\\codex-command-runner.exe', kind: 'codex', warm: true }), {
    text: 'codex-command-runner.exe · codex · warm',
    path: 'C:\\Users\\me\\.codex\\.sandbox-bin\\codex-command-runner.exe',
  });
  assert.equal(runnerView({ file: '/home/me/.codex/.sandbox-bin/codex-command-runner.js', kind: 'bundled', warm: false })!.text, 'codex-command-runner.js · bundled · cold');
});

test('the pools line gives idle and starting per identity, and says none without pools', () => {
  assert.equal(poolsText([]), 'none');
  assert.deepEqual(poolItems([]), []);
  assert.deepEqual(poolItems([{ identity: 'a', idle: 0, starting: 3 }]), ['a: idle 0, starting 3']);
  assert.equal(
    poolsText([
      { identity: 'codex-command-runner.exe as CodexSandboxOffline', idle: 2, starting: 1 },
      { identity: 'codex-command-runner.js (bundled)', idle: 0, starting: 0 },
    ]),
    'codex-command-runner.exe as CodexSandboxOffline: idle 2, starting 1 · codex-command-runner.js (bundled): idle 0, starting 0',
  );
});

test('how the command ended: the badge and the "ended" row name it, with the signal where one ended it', () => {
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 137, endReason: 'signaled', signal: 'SIGKILL' })), { text: 'killed by SIGKILL', tone: 'warn' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 1, endReason: 'terminated', signal: 'SIGTERM' })), { text: 'terminated', tone: 'warn' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 192, timedOut: true, endReason: 'timed_out' })), { text: 'timed out', tone: 'warn' });
  assert.deepEqual(stateBadge(status({ state: 'exited', exitCode: 143, endReason: 'exited' })), { text: 'exited 143', tone: 'warn' });
  assert.equal(endView(status({})), '–');
  assert.equal(endView(status({ state: 'exited', endReason: 'exited' })), 'exited by itself');
  assert.equal(endView(status({ state: 'exited', endReason: 'signaled', signal: 'SIGSEGV' })), 'killed by SIGSEGV');
  assert.equal(endView(status({ state: 'exited', endReason: 'terminated', signal: 'SIGTERM' })), 'terminated from here · SIGTERM');
  assert.equal(endView(status({ state: 'exited', endReason: 'timed_out', signal: 'SIGKILL' })), 'timed out · SIGKILL');
  assert.equal(endView(status({ state: 'failed', endReason: 'terminated' })), 'terminated from here');
  assert.equal(endView(status({ state: 'failed', endReason: 'failed' })), 'session failed');
});

test('readinessText: the home, the options it was read with when given, the state in words and each reason code', () => {
  assert.equal(readinessText({ codexHome: 'C:\\Users\\a\\.codex', networkRestricted: true, state: 'ready', reasons: [] }), 'Codex sandbox in C:\\Users\\a\\.codex: ready');
  assert.equal(
    readinessText({ codexHome: '/h', networkRestricted: true, state: 'not_configured', reasons: [{ code: 'marker_missing', message: 'm' }, { code: 'users_missing', message: 'u' }] }),
    'Codex sandbox in /h: not configured (marker_missing, users_missing)',
  );
  assert.equal(readinessText({ codexHome: '/h', networkRestricted: true, state: 'update_required', reasons: [{ code: 'account_disabled', message: 'd' }] }), 'Codex sandbox in /h: update required (account_disabled)');
  assert.equal(
    readinessText({ codexHome: 'C:\\h', codexInstall: 'C:\\codex', setupHelper: 'C:\\s.exe', networkRestricted: false, state: 'ready', reasons: [] }),
    'Codex sandbox in C:\\h (codex install C:\\codex, setup helper C:\\s.exe, online user): ready',
  );
});
