// burst_sessions_ok: 300 sessions started at once while a second load of 300 runs beside them (a
// second manager, as another app would); how many of the first 300 end `exited` 0 with their own
// output. The same check as test/session/burst.test.ts, counted instead of asserted.
import { performance } from 'node:perf_hooks';
import { SessionManager, type Session } from '../src/main/index';

async function ok(session: Session, expected: string): Promise<boolean> {
  let out = '';
  session.stdout.on('data', (d: Buffer) => (out += d));
  session.stderr.resume();
  const result = await session.exited;
  return result.state === 'exited' && result.exitCode === 0 && out === expected;
}

export interface BurstSessionsResult {
  burst_sessions_ok: number;
  loadOk: number;
  seconds: number;
}

export async function measureBurstSessions(count: number): Promise<BurstSessionsResult> {
  const burst = new SessionManager({ keepEnded: 0 });
  const load = new SessionManager({ keepEnded: 0 });
  const started = performance.now();
  try {
    const start = (m: SessionManager, tag: string) => Array.from({ length: count }, (_, n) => ok(m.start({ command: ['echo', tag, String(n)] }), `${tag} ${n}\n`));
    const loadRuns = start(load, 'load');
    const burstRuns = start(burst, 'burst');
    const [loadOk, burstOk] = await Promise.all([Promise.all(loadRuns), Promise.all(burstRuns)]);
    return { burst_sessions_ok: burstOk.filter(Boolean).length, loadOk: loadOk.filter(Boolean).length, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all([burst.dispose(), load.dispose()]);
  }
}
