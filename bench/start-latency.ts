// start_latency_vs_bare_runner: a session's time from start() to `running`, over the time to spawn
// the runner program alone and see it start (its first connect to a socket we listen on).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SessionManager, type Session } from '../src/main/index';
import { bundledRunnerScript } from '../src/main/launch/runner-spec';
import { OneClientSocket } from './socket-listener';
import { interleaved, median } from './stats';

function untilRunning(session: Session): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (session.state === 'running') {
        session.off('update', check);
        resolve(performance.now());
      } else if (session.state === 'exited' || session.state === 'failed') {
        session.off('update', check);
        reject(new Error(`session ${session.state} before running: ${session.status().failure?.message}`));
      }
    };
    session.on('update', check);
  });
}

export async function sessionStartMs(manager: SessionManager): Promise<number> {
  const started = performance.now();
  const session = manager.start({ command: ['true'] });
  const running = await untilRunning(session);
  const result = await session.exited;
  if (result.state !== 'exited' || result.exitCode !== 0) throw new Error(`session ${result.state}: ${result.error?.message}`);
  return running - started;
}

/** The same runner program and arguments a session launches, timed to its first connect, then killed. */
export async function bareRunnerStartMs(): Promise<number> {
  const listener = await OneClientSocket.listen();
  try {
    const started = performance.now();
    const runner = spawn(process.execPath, [bundledRunnerScript(), `--pipe-in=${listener.path}`, `--pipe-out=${listener.path}.unused`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => runner.once('exit', resolve));
    const socket = await listener.client;
    const connected = performance.now();
    socket.destroy();
    runner.kill('SIGKILL');
    await exited;
    return connected - started;
  } finally {
    listener.close();
  }
}

export interface StartLatencyResult {
  sessionMs: number;
  bareRunnerMs: number;
  start_latency_vs_bare_runner: number;
  samples: Record<'session' | 'bare', number[]>;
}

export async function measureStartLatency(rounds: number): Promise<StartLatencyResult> {
  const manager = new SessionManager();
  try {
    // Warm both paths once (first-use module loads are not what a long-running app pays per session).
    await sessionStartMs(manager);
    await bareRunnerStartMs();
    const samples = await interleaved(rounds, { session: () => sessionStartMs(manager), bare: () => bareRunnerStartMs() });
    const sessionMs = median(samples.session);
    const bareRunnerMs = median(samples.bare);
    return { sessionMs, bareRunnerMs, start_latency_vs_bare_runner: sessionMs / bareRunnerMs, samples };
  } finally {
    await manager.dispose();
  }
}
