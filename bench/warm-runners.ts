// warm_start_latency_vs_bare_runner: start->running of a session that takes a warm runner, over the
// bare runner start (the same baseline as start_latency_vs_bare_runner), interleaved round by
// round. warm_runner_idle_rss_mib: the resident memory of one idle warm runner (kernel's VmRSS).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SessionManager } from '../src/main/index';
import { bareRunnerStartMs, sessionStartMs } from './start-latency';
import { interleaved, median } from './stats';

async function until(check: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('the warm pool did not refill in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runner processes below us that are idle in the pool: their cmdline names the runner, and no session holds them. */
function idleRunnerRssMib(manager: SessionManager): number | undefined {
  const busy = new Set(manager.list().map((s) => s.runnerPid));
  const rss: number[] = [];
  for (const pid of descendants(process.pid)) {
    if (busy.has(pid)) continue;
    const cmdline = readFileSyncSafe(`/proc/${pid}/cmdline`);
    if (!cmdline.includes('codex-command-runner.js')) continue;
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSyncSafe(`/proc/${pid}/status`));
    if (kb) rss.push(Number(kb[1]) / 1024);
  }
  return rss.length ? median(rss) : undefined;
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function descendants(root: number): number[] {
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const pid = frontier.pop()!;
    for (const task of readFileSyncSafe(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean)) {
      out.push(Number(task));
      frontier.push(Number(task));
    }
  }
  return out;
}

export interface WarmRunnersResult {
  warmMs: number;
  bareRunnerMs: number;
  warm_start_latency_vs_bare_runner: number;
  warm_runner_idle_rss_mib: number | undefined;
  samples: Record<'warm' | 'bare', number[]>;
}

export async function measureWarmRunners(rounds: number): Promise<WarmRunnersResult> {
  const manager = new SessionManager({ warmRunners: 1 });
  const idle = () => manager.poolStatus()[0]?.idle === 1;
  try {
    await sessionStartMs(manager); // the identity is in use: the pool warms one
    await until(idle);
    const rss = idleRunnerRssMib(manager);
    const samples = await interleaved(rounds, {
      warm: async () => {
        await until(idle); // each warm sample takes a runner that is really there
        return sessionStartMs(manager);
      },
      bare: () => bareRunnerStartMs(),
    });
    const warmMs = median(samples.warm);
    const bareRunnerMs = median(samples.bare);
    return { warmMs, bareRunnerMs, warm_start_latency_vs_bare_runner: warmMs / bareRunnerMs, warm_runner_idle_rss_mib: rss, samples };
  } finally {
    await manager.dispose();
  }
}
