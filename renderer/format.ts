// Plain formatting for the panel: no DOM here, so it is unit-tested under Node.
import type { CodexHomeReadiness, EndReason, PolicyStatus, PoolStatus, ProtocolStatus, RunnerStatus, SessionStage, SessionStatus } from '../electron/common/ipc-contract';

const STAGE_LABELS: Record<SessionStage, string> = {
  queued: 'queued',
  preparing: 'prepare',
  setting_up_sandbox: 'set up sandbox',
  preparing_sandbox: 'prepare sandbox',
  creating_pipes: 'create pipes',
  launching_runner: 'launch runner',
  connecting_in: 'connect pipe-in',
  connecting_out: 'connect pipe-out',
  verifying_client: 'verify client',
  spawn_sent: 'spawn sent',
  running: 'running',
  exited: 'exited',
  failed: 'failed',
};

export function stageLabel(stage: SessionStage): string {
  return STAGE_LABELS[stage] ?? stage;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export interface TimelineStep {
  stage: SessionStage;
  label: string;
  /** Time spent in this stage; for the current stage, time so far; null for a final stage. */
  ms: number | null;
  /** The stage the session is in now (still counting). */
  current: boolean;
  /** The stage a failure happened in (marked red in the panel). */
  failedHere: boolean;
}

/** Each stage with how long the session spent in it, in the order they happened. */
export function timeline(status: SessionStatus, now: number): TimelineStep[] {
  const marks = status.stages;
  const failedStage = status.failure?.stage;
  return marks.map((mark, i) => {
    const next = marks[i + 1];
    const final = mark.stage === 'exited' || mark.stage === 'failed';
    const current = !next && !final;
    return {
      stage: mark.stage,
      label: stageLabel(mark.stage),
      ms: final ? null : (next ? next.at : now) - mark.at,
      current,
      failedHere: failedStage === mark.stage && next?.stage === 'failed',
    };
  });
}

/** Wall time from the first stage to the end (or to now while it runs). */
export function totalDuration(status: SessionStatus, now: number): number | null {
  const first = status.stages[0];
  if (!first) return null;
  const last = status.stages[status.stages.length - 1]!;
  const ended = last.stage === 'exited' || last.stage === 'failed';
  return (ended ? last.at : now) - first.at;
}

/** The command as one line, quoting arguments with spaces so it reads like a shell line. */
export function commandLine(command: readonly string[]): string {
  return command.map((a) => (a === '' || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

export function isActive(status: SessionStatus): boolean {
  return status.state !== 'exited' && status.state !== 'failed';
}

export interface Summary {
  total: number;
  active: number;
  exited: number;
  failed: number;
}

export function summarize(sessions: readonly SessionStatus[]): Summary {
  let active = 0, exited = 0, failed = 0;
  for (const s of sessions) {
    if (s.state === 'exited') exited++;
    else if (s.state === 'failed') failed++;
    else active++;
  }
  return { total: sessions.length, active, exited, failed };
}

export function summaryText(s: Summary): string {
  if (s.total === 0) return 'No sessions';
  const parts = [`${s.active} active`, `${s.exited} exited`, `${s.failed} failed`];
  return `${s.total} session${s.total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** One word for the state badge, and the tone it is drawn in. */
export function stateBadge(status: SessionStatus): { text: string; tone: 'active' | 'ok' | 'warn' | 'error' } {
  if (status.state === 'failed') return { text: 'failed', tone: 'error' };
  if (status.state === 'exited') {
    if (status.timedOut || status.endReason === 'timed_out') return { text: 'timed out', tone: 'warn' };
    if (status.endReason === 'terminated') return { text: 'terminated', tone: 'warn' };
    if (status.endReason === 'signaled') return { text: `killed by ${status.signal}`, tone: 'warn' };
    return { text: `exited ${status.exitCode ?? '?'}`, tone: status.exitCode === 0 ? 'ok' : 'warn' };
  }
  return { text: stageLabel(status.state), tone: 'active' };
}

const END_WORDS: Record<EndReason, string> = {
  exited: 'exited by itself',
  signaled: 'killed by a signal',
  terminated: 'terminated from here',
  timed_out: 'timed out',
  failed: 'session failed',
};

/** How the command ended, for the card's "ended" row: `terminated from here · SIGTERM`; `–` while it runs. */
export function endView(status: SessionStatus): string {
  if (!status.endReason) return '–';
  const words = status.endReason === 'signaled' && status.signal ? `killed by ${status.signal}` : END_WORDS[status.endReason];
  return status.signal && status.endReason !== 'signaled' ? `${words} · ${status.signal}` : words;
}

/** The protocol line: `v6 · detected`, and each version refused before it with the runner's reply. */
export function protocolView(protocol: ProtocolStatus | undefined): { text: string; refused: string[] } {
  if (!protocol) return { text: '–', refused: [] }; // not chosen yet, or not reported by this session
  return {
    text: `v${protocol.version} · ${protocol.chosen}`,
    refused: protocol.refused.map((r) => `v${r.version} refused: ${r.reply.trim() || '(no reply)'}`),
  };
}

const NOT_ENFORCING_RUNNER: Record<RunnerStatus['kind'], string | null> = {
  bundled: "this project's runner",
  custom: 'a custom runner',
  codex: null, // codex's runner enforces; when it did not, the note says why
};

export interface PolicyView {
  enforced: boolean;
  /** What the card shows. */
  text: string;
  /** The accessible label: the text, then the status's own note. */
  label: string;
}

/** `workspace-write — not enforced (this project's runner)` or `workspace-write — enforced by codex-command-runner`. */
export function policyView(policy: PolicyStatus, runner: RunnerStatus | undefined): PolicyView {
  const who = runner ? NOT_ENFORCING_RUNNER[runner.kind] : null;
  const text = policy.enforced
    ? `${policy.profile} — enforced by codex-command-runner`
    : `${policy.profile} — not enforced${who ? ` (${who})` : ''}`;
  const note = policy.note.trim();
  return { enforced: policy.enforced, text, label: `policy ${text}${note ? `: ${note}` : ''}` };
}

/** The runner line: its file name (the full path for a title), its kind, and whether it was warm. */
export function runnerView(runner: RunnerStatus | undefined): { text: string; path: string } | null {
  if (!runner) return null;
  const name = runner.file.split(/[\\/]/).pop() || runner.file;
  return { text: `${name} · ${runner.kind} · ${runner.warm ? 'warm' : 'cold'}`, path: runner.file };
}

/** One entry per warm-runner pool (launch identity): `<identity>: idle N, starting M`. */
export function poolItems(pools: readonly PoolStatus[]): string[] {
  return pools.map((p) => `${p.identity}: idle ${p.idle}, starting ${p.starting}`);
}

/** The pools line's text; `none` without pools (no pool simply means no warm runners). */
export function poolsText(pools: readonly PoolStatus[]): string {
  return pools.length === 0 ? 'none' : poolItems(pools).join(' · ');
}

const READINESS_WORDS: Record<CodexHomeReadiness['state'], string> = { ready: 'ready', not_configured: 'not configured', update_required: 'update required' };

/**
 * `Codex sandbox in C:\home: not configured (marker_missing, users_missing)`; the options it was read
 * with follow the home when given (the online user: a profile with network), as sessions may differ in them.
 */
export function readinessText(r: CodexHomeReadiness): string {
  const codes = r.reasons.length ? ` (${r.reasons.map((x) => x.code).join(', ')})` : '';
  const options = [...(r.codexInstall !== undefined ? [`codex install ${r.codexInstall}`] : []), ...(r.setupHelper ? [`setup helper ${r.setupHelper}`] : []), ...(r.networkRestricted ? [] : ['online user'])];
  return `Codex sandbox in ${r.codexHome}${options.length ? ` (${options.join(', ')})` : ''}: ${READINESS_WORDS[r.state]}${codes}`;
}
