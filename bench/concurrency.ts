// concurrent_sessions_ok and sessions_per_second: 200 sessions started at once, each checked for
// its own output and exit code.
import { SessionManager } from '../src/main/index';

export interface ConcurrencyResult {
  concurrent_sessions_ok: number;
  sessions_per_second: number;
  failures: string[];
}

export async function measureConcurrency(count = 200): Promise<ConcurrencyResult> {
  const manager = new SessionManager({ keepEnded: count });
  const failures: string[] = [];
  try {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const token = `session-${i}-output`;
        const session = manager.start({ command: ['printf', '%s', token] });
        let stdout = '';
        session.stdout.on('data', (d: Buffer) => (stdout += d));
        const result = await session.exited;
        const ok = result.state === 'exited' && result.exitCode === 0 && stdout === token;
        if (!ok) failures.push(`#${i}: ${result.state} code ${result.exitCode} stdout ${JSON.stringify(stdout.slice(0, 40))} ${result.error?.message ?? ''}`);
        return ok;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const okCount = outcomes.filter(Boolean).length;
    return { concurrent_sessions_ok: okCount, sessions_per_second: okCount / seconds, failures };
  } finally {
    await manager.dispose();
  }
}
