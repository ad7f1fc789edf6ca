// pause() and never resume(): a command that prints without end is held back, and what this side
// holds stops growing at a bound (the Session's 1 MiB per stream plus what is in flight), however
// long the pause lasts. kill() then still ends it, leaving nothing behind. Terminal and pipes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from '../../src/main/node-pty';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';
import { assertNothingLeftBehind, whenRunning } from '../helpers/sessions';

const skip = posixOnly('the command is yes');
const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

const MiB = 1024 * 1024;

/** Resolves once `read` has stopped moving for a while. */
async function untilStalled(read: () => number): Promise<number> {
  let last = -1;
  for (let steady = 0; steady < 8; ) {
    const now = read();
    steady = now === last ? steady + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

for (const tty of [false, true]) {
  test(`paused for good, ${tty ? 'on a terminal' : 'through pipes'}: what is read stalls under a bound and stays there; kill() still ends it`, { skip, timeout: 60_000 }, async () => {
    const pty = spawn('yes', ['paused output'], { manager, session: { tty } });
    let delivered = 0;
    pty.onData((text) => (delivered += text.length));
    pty.pause();
    const session = pty.session;
    await whenRunning(session);
    const bytes = () => session.status().traffic.stdout.bytes;
    const stalledAt = await untilStalled(bytes);
    assert.ok(stalledAt > 0, 'some output came');
    assert.ok(stalledAt <= 2 * MiB, `read ${stalledAt} bytes while paused`);
    assert.ok(session.stdout.readableLength <= MiB + 64 * 1024, `held ${session.stdout.readableLength} bytes`);
    // Longer still: nothing more is read (the command waits on its full pipe or terminal).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(bytes(), stalledAt, 'nothing more was read during the pause');
    assert.equal(delivered, 0, 'nothing was delivered while paused');
    assert.equal(session.state, 'running');
    const exit = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    pty.kill();
    pty.resume(); // onExit comes after the last data, which a paused terminal holds
    await exit;
    const result = await session.exited;
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(result.endReason, 'terminated');
    await assertNothingLeftBehind(session);
  });
}
