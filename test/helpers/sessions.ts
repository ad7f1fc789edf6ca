// Shared session plumbing for the end-to-end tests.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { Session, SessionResult } from '../../src/main/session/session';
import { eventually, isAlive } from './process-state';

export interface Collected {
  stdout: Buffer;
  stderr: Buffer;
  result: SessionResult;
}

/** Reads both streams to the end and waits for the result. */
export async function collect(session: Session): Promise<Collected> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  session.stdout.on('data', (d: Buffer) => out.push(d));
  session.stderr.on('data', (d: Buffer) => err.push(d));
  const result = await session.exited;
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), result };
}

/** Resolves once the session reached `running` (rejects if it ended first). */
export function whenRunning(session: Session): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (session.state === 'running') {
        session.off('update', check);
        resolve();
      } else if (session.state === 'exited' || session.state === 'failed') {
        session.off('update', check);
        reject(new Error(`session ended (${session.state}: ${session.status().failure?.message}) before running`));
      }
    };
    session.on('update', check);
    check();
  });
}

/** The session ended and holds nothing: runner and child gone, socket directory removed. */
export async function assertNothingLeftBehind(session: Session, extraPids: number[] = []): Promise<void> {
  const status = session.status();
  assert.ok(status.state === 'exited' || status.state === 'failed', `session still ${status.state}`);
  const pids = [status.runnerPid, status.childPid, ...extraPids].filter((p): p is number => typeof p === 'number' && p > 0);
  const gone = await eventually(() => pids.every((p) => !isAlive(p)));
  assert.ok(gone, `still alive: ${pids.filter((p) => isAlive(p)).join(', ')}`);
  for (const pipe of [status.pipes.in, status.pipes.out]) {
    if (!pipe) continue;
    assert.equal(existsSync(pipe.name), false, `socket ${pipe.name} left behind`);
    assert.equal(existsSync(path.dirname(pipe.name)), false, `socket dir ${path.dirname(pipe.name)} left behind`);
  }
}
