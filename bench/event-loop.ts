// event_loop_p99_ms: the parent's event-loop delay at p99 while 8 sessions each stream 256 MiB.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SessionManager } from '../src/main/index';
import { producer } from './throughput';
import { MiB } from './stats';

export interface EventLoopResult {
  event_loop_p99_ms: number;
  maxMs: number;
  aggregateBytesPerSecond: number;
  /** The same 8 streams read straight from child_process.spawn: the machine's own floor. */
  directSpawnP99Ms: number;
}

/** The loop's p99 delay while `run` runs, sampled every 5 ms. */
async function p99While(run: () => Promise<void>): Promise<{ p99Ms: number; maxMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    await run();
  } finally {
    histogram.disable();
  }
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

function readDirectly(bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = producer(bytes);
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = 0;
    child.stdout!.on('data', (d: Buffer) => (got += d.length));
    child.once('close', (code) => (code === 0 && got === bytes ? resolve() : reject(new Error(`${file} exited ${code} after ${got} bytes`))));
  });
}

export async function measureEventLoop(sessions = 8, bytesEach = 256 * MiB): Promise<EventLoopResult> {
  const manager = new SessionManager();
  try {
    const started = performance.now();
    const measured = await p99While(async () => {
      await Promise.all(
        Array.from({ length: sessions }, async () => {
          const session = manager.start({ command: producer(bytesEach) });
          let bytes = 0;
          session.onData((d) => (bytes += d.length));
          const result = await session.exited;
          if (result.state !== 'exited' || result.exitCode !== 0 || bytes !== bytesEach) {
            throw new Error(`event-loop session ${result.state} (${result.exitCode}) with ${bytes} of ${bytesEach} bytes: ${result.error?.message}`);
          }
        }),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    const direct = await p99While(async () => void (await Promise.all(Array.from({ length: sessions }, () => readDirectly(bytesEach)))));
    return {
      event_loop_p99_ms: measured.p99Ms,
      maxMs: measured.maxMs,
      aggregateBytesPerSecond: (sessions * bytesEach) / seconds,
      directSpawnP99Ms: direct.p99Ms,
    };
  } finally {
    await manager.dispose();
  }
}
