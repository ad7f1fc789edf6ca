// Renders a session's status snapshot as the text `codex-runner-ipc run --status` prints.
import type { SessionStatus, TrafficCounter } from '../session/session-status';

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

export function formatStatus(s: SessionStatus): string {
  const lines: string[] = [];
  const outcome =
    s.state === 'exited' ? `exited with code ${s.exitCode}${s.timedOut ? ' (timed out)' : ''}` : s.state === 'failed' ? `failed during ${s.failure?.stage}` : s.state;
  lines.push(`session ${s.id}: ${outcome}`);
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
