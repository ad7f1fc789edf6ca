// Renders a session's status snapshot as the text `codex-runner-ipc run --status` prints.
import type { SessionStatus } from '../main/index';

type TrafficCounter = SessionStatus['traffic']['stdout'];

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const traffic = (c: TrafficCounter) => `${bytes(c.bytes)} in ${c.frames} frame${c.frames === 1 ? '' : 's'}`;

/** The headline's verdict: how the command ended, the code as the runner reported it, the signal if any. */
function outcome(s: SessionStatus): string {
  const by = s.signal ? `, ended by ${s.signal}` : '';
  if (s.state === 'failed') {
    const why = s.endReason === 'terminated' ? ' (terminated)' : s.endReason === 'timed_out' ? ' (timed out)' : '';
    return `failed during ${s.failure?.stage}${why}`;
  }
  if (s.state !== 'exited') return s.state;
  switch (s.endReason) {
    case 'signaled':
      return `killed by ${s.signal} (exit code ${s.exitCode})`;
    case 'terminated':
      return `terminated (exit code ${s.exitCode}${by})`;
    case 'timed_out':
      return `timed out (exit code ${s.exitCode}${by})`;
    default:
      return `exited with code ${s.exitCode}`;
  }
}

export function formatStatus(s: SessionStatus): string {
  const lines: string[] = [];
  lines.push(`session ${s.id}: ${outcome(s)}`);
  lines.push(`  command      ${JSON.stringify(s.command)}${s.tty ? ` (tty ${s.ttySize?.cols}x${s.ttySize?.rows})` : ''}`);
  lines.push('  stages');
  const t0 = s.stages[0]?.at ?? 0;
  s.stages.forEach((mark, i) => {
    const next = s.stages[i + 1];
    const took = next ? `${next.at - mark.at} ms` : '';
    lines.push(`    +${String(mark.at - t0).padStart(6)} ms  ${mark.stage.padEnd(17)} ${took}`);
  });
  for (const role of ['in', 'out'] as const) {
    const p = s.pipes[role];
    if (!p) continue;
    const peer = p.clientPid !== undefined ? `, client pid ${p.clientPid}` : p.connected ? ', connected' : ', not connected';
    lines.push(`  pipe-${role.padEnd(4)}    ${p.name}${peer}`);
    if (p.access) lines.push(`               access ${p.access}`);
  }
  if (s.runner) lines.push(`  runner       ${s.runner.file} (${s.runner.kind}${s.runner.warm ? ', warm' : ''})`);
  if (s.protocol) {
    const refused = s.protocol.refused.map((r) => `v${r.version}: ${r.reply}`).join('; ');
    lines.push(`  protocol     v${s.protocol.version} (${s.protocol.chosen})${refused ? `; refused ${refused}` : ''}`);
  }
  if (s.sandboxPrep) {
    const p = s.sandboxPrep;
    lines.push(`  cap sids     ${p.capSids.join(', ')} (${p.capSidsFrom === 'option' ? 'capSids option' : p.capSidsFrom})`);
    lines.push(`  desktop      ${p.desktop ?? '-'}${p.desktopNote ? ` (${p.desktopNote})` : ''}`);
    lines.push(`  refresh      ${p.refresh}${p.setupHelper ? ` (${p.setupHelper})` : ''}`);
    for (const warning of p.warnings ?? []) lines.push(`  warning      ${warning}`);
  }
  lines.push(`  policy       ${s.policy.profile}: ${s.policy.note}`);
  lines.push(`  runner pid   ${s.runnerPid ?? '-'}`);
  lines.push(`  child pid    ${s.childPid ?? '-'}`);
  lines.push(`  stdout       ${traffic(s.traffic.stdout)}`);
  lines.push(`  stderr       ${traffic(s.traffic.stderr)}`);
  lines.push(`  stdin        ${traffic(s.traffic.stdin)}`);
  lines.push(`  wire         to runner ${traffic(s.traffic.toRunner)}; from runner ${traffic(s.traffic.fromRunner)}`);
  if (s.failure) lines.push(`  error        ${s.failure.message}`);
  return lines.join('\n');
}
