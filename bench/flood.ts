// flood_rss_growth_mib: the parent's peak RSS growth while a child writes 1 GiB and the consumer
// reads slowly. Bounded only if backpressure reaches the child instead of output piling up here.
import { setTimeout as sleep } from 'node:timers/promises';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { SessionManager } from '../src/main/index';
import { producer } from './throughput';
import { MiB } from './stats';

/** A full GC before the baseline sample, so garbage from earlier benches is not counted as "ours". */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

export interface FloodResult {
  flood_rss_growth_mib: number;
  consumerBytesPerSecond: number;
}

/** The consumer rests `pauseMsPerMiB` ms after every MiB: about 100 MiB/s, well below the producer. */
export async function measureFlood(totalBytes = 1024 * MiB, pauseMsPerMiB = 10): Promise<FloodResult> {
  const manager = new SessionManager();
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const started = performance.now();
    const session = manager.start({ command: producer(totalBytes) });
    let bytes = 0;
    let sincePause = 0;
    for await (const chunk of session.stdout as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      sincePause += chunk.length;
      if (sincePause >= MiB) {
        sincePause = 0;
        await sleep(pauseMsPerMiB);
      }
    }
    const result = await session.exited;
    if (result.state !== 'exited' || result.exitCode !== 0 || bytes !== totalBytes) {
      throw new Error(`flood session ${result.state} (${result.exitCode}) with ${bytes} of ${totalBytes} bytes: ${result.error?.message}`);
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    return { flood_rss_growth_mib: (peak - baseline) / MiB, consumerBytesPerSecond: bytes / ((performance.now() - started) / 1000) };
  } finally {
    clearInterval(sampler);
    await manager.dispose();
  }
}
