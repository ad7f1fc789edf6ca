// A consumer that starts reading only after the command and the runner are gone (a paused
// node-pty facade, a UI that reads later) still gets every byte and the exit report: the
// runner's death is not a failure while its last frames wait, unread, for that consumer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { finished } from 'node:stream/promises';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';
import { eventually, isAlive } from '../helpers/process-state';
import { assertNothingLeftBehind, whenRunning } from '../helpers/sessions';

const skip = posixOnly('the command is head on /dev/zero');

const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

/** A little more than Session's 1 MiB per stream: the last frames, the exit report with them, wait in the socket. */
const OUTPUT = 1024 * 1024 + 12 * 1024;
/** Past the parent's grace for a runner that exited (2 s), which is when the old code declared a failure. */
const PAST_THE_DEATH_GRACE_MS = 3000;

// Through pipes: on a terminal the same late read still loses up to a few KiB at the end (the
// PTY's last buffered output, read after its slave side closed), a runner-side problem not fixed here.
test('output read only after the runner has exited arrives whole, with the exit', { skip }, async () => {
  const session = manager.start({ command: ['head', '-c', String(OUTPUT), '/dev/zero'] });
  await whenRunning(session);
  const runnerPid = session.status().runnerPid!;
  assert.ok(await eventually(() => !isAlive(runnerPid)), 'the runner should exit once everything it wrote is buffered');
  // Reading nothing yet: what the runner wrote last is still in the socket, behind our full buffer.
  await new Promise((r) => setTimeout(r, PAST_THE_DEATH_GRACE_MS));
  let received = 0;
  session.stdout.on('data', (d: Buffer) => (received += d.length));
  const [result] = await Promise.all([session.exited, finished(session.stdout)]);
  assert.equal(result.error?.message, undefined);
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  assert.equal(received, OUTPUT);
  await assertNothingLeftBehind(session);
});
