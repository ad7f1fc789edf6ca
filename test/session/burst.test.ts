// A burst must not fail by a timeout that measures its own queue: 300 sessions started at once on
// this 2-core machine, while another 300-session load runs beside them (a second manager, as a
// second app would), all end `exited` with their own output. Admission control is what makes this
// hold: at most N launches and connects in flight, the rest wait in `queued`, which no connect
// timeout counts. BURST_SESSIONS overrides the 300.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../src/main/session/session-manager';
import type { Session } from '../../src/main/session/session';
import { realRunner } from '../helpers/fixture-paths';
import { eventually, liveDescendants, usePrivateTmpdir } from '../helpers/process-state';
import { posixOnly } from '../helpers/platform';

const COUNT = Number(process.env.BURST_SESSIONS ?? 300);
usePrivateTmpdir('burst');

async function outcome(session: Session, n: number, tag: string): Promise<string | null> {
  let out = '';
  session.stdout.on('data', (d: Buffer) => (out += d));
  session.stderr.resume();
  const result = await session.exited;
  if (result.state === 'exited' && result.exitCode === 0 && out === `${tag} ${n}\n`) return null;
  return `${tag} #${n}: ${result.state} ${result.exitCode} ${JSON.stringify(out)} ${result.error?.stage ?? ''} ${result.error?.message ?? ''}`;
}

test(`${COUNT} sessions at once beside another ${COUNT}-session load: every one exits with its own output`, { timeout: 900_000, skip: posixOnly('runs echo as the command') }, async () => {
  const children = liveDescendants();
  const burst = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, keepEnded: 10 });
  const load = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, keepEnded: 10 });
  const start = (manager: SessionManager, tag: string) =>
    Array.from({ length: COUNT }, (_, n) => outcome(manager.start({ command: ['echo', tag, String(n)] }), n, tag));
  try {
    const failures = (await Promise.all([...start(load, 'load'), ...start(burst, 'burst')])).filter((f): f is string => f !== null);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${2 * COUNT} sessions failed`);
  } finally {
    await Promise.all([burst.dispose(), load.dispose()]);
  }
  assert.ok(await eventually(() => liveDescendants().length <= children.length + 1, 20_000), 'processes left behind');
});
