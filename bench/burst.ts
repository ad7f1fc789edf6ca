// burst_event_loop_p99_ms: the parent's event-loop delay at p99 while 100 sessions start in the
// same tick. Runners are launched by the launcher process (Node's spawn forks synchronously: it
// now blocks the launcher, not us). Baseline in the same run: the same burst with the launcher
// turned off, every runner spawned from this thread as before. Rounds alternate the two.
// The parent holds 512 MiB resident meanwhile, as an app's main process holds hundreds of MiB:
// fork() copies the parent's page tables, so a spawn costs ~1 ms in a bare Node process here and
// ~20 ms at that size (the 300-session report measured ~50 ms per spawn in the app).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SessionManager } from '../src/main/index';
import { interleaved, median } from './stats';

export interface BurstResult {
  burst_event_loop_p99_ms: number;
  /** Largest single stall across the launcher rounds. */
  maxMs: number;
  directSpawnP99Ms: number;
  directSpawnMaxMs: number;
  /** Wall time of a burst (start to the last session ended), medians. */
  burstSeconds: number;
  directSpawnBurstSeconds: number;
  /** CPU time this process spent during a burst (user + system), medians: the forks leave it with the launcher. */
  parentCpuMs: number;
  directSpawnParentCpuMs: number;
  /** What the parent held resident meanwhile. */
  ballastMiB: number;
  samples: Record<'launcher' | 'direct', BurstSample[]>;
}

interface BurstSample {
  p99Ms: number;
  maxMs: number;
  seconds: number;
  cpuMs: number;
}

async function burst(manager: SessionManager, count: number): Promise<BurstSample> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const failures: string[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const token = `burst-${i}`;
        const session = manager.start({ command: ['printf', '%s', token] });
        let out = '';
        session.stdout.on('data', (d: Buffer) => (out += d));
        const result = await session.exited;
        if (result.state !== 'exited' || result.exitCode !== 0 || out !== token) failures.push(`#${i}: ${result.state} ${result.exitCode} ${result.error?.message ?? out}`);
      }),
    );
  } finally {
    histogram.disable();
  }
  if (failures.length) throw new Error(`burst: ${failures.length} of ${count} sessions failed: ${failures.slice(0, 3).join('; ')}`);
  const used = process.cpuUsage(cpu);
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** Resident memory the parent holds during the bursts (touched, so its pages are really mapped). */
export const BURST_BALLAST_MIB = 512;

export async function measureBurst(count = 100, rounds = 3): Promise<BurstResult> {
  // One manager per path: the launcher is a manager's own, and so is turning it off.
  const managers = { launcher: new SessionManager({ keepEnded: 0 }), direct: new SessionManager({ keepEnded: 0, launcher: { enabled: false } }) };
  const ballast = Buffer.alloc(BURST_BALLAST_MIB * 1024 * 1024, 1);
  const samples: BurstResult['samples'] = { launcher: [], direct: [] };
  const variant = (name: 'launcher' | 'direct') => async () => {
    const s = await burst(managers[name], count);
    samples[name].push(s);
    return s.p99Ms;
  };
  try {
    // Warm both paths (the launcher's own start is a one-off, not a per-burst cost).
    await Promise.all([managers.launcher.start({ command: ['true'] }).exited, managers.direct.start({ command: ['true'] }).exited]);
    const p99 = await interleaved(rounds, { launcher: variant('launcher'), direct: variant('direct') });
    return {
      burst_event_loop_p99_ms: median(p99.launcher),
      maxMs: Math.max(...samples.launcher.map((s) => s.maxMs)),
      directSpawnP99Ms: median(p99.direct),
      directSpawnMaxMs: Math.max(...samples.direct.map((s) => s.maxMs)),
      burstSeconds: median(samples.launcher.map((s) => s.seconds)),
      directSpawnBurstSeconds: median(samples.direct.map((s) => s.seconds)),
      parentCpuMs: median(samples.launcher.map((s) => s.cpuMs)),
      directSpawnParentCpuMs: median(samples.direct.map((s) => s.cpuMs)),
      ballastMiB: ballast.length / (1024 * 1024), // read here, so it is held to the end
      samples,
    };
  } finally {
    await Promise.all([managers.launcher.dispose(), managers.direct.dispose()]);
  }
}
