// The facade's own SessionManager, for spawn() without `manager`: made at the first spawn, with one
// warm runner per launch identity, so from the second terminal on a runner is already launched,
// connected and verified when spawn() is called. It never holds the process open: its warm
// runners, their pipes and its timers are unref'd. Once none of its terminals is left for
// IDLE_MS it is disposed (its warm runner and its launcher closed with it); the next spawn makes a
// new one. It is a SessionManager like any other: nothing it holds is shared with another manager.
import { checkRunnerLauncherOptions, type RunnerLauncherOptions } from '../launch/launch-runner';
import { SessionManager } from '../session/session-manager';
import type { Session } from '../session/session';

/** How long the manager outlives its last terminal (default): as long as a warm runner may idle. */
export const IDLE_MS = 60_000;

export interface DefaultManagerOptions {
  /** Warm runners kept per launch identity (default 1; 0: every terminal launches its own runner). */
  warmRunners?: number;
  /** How long the manager (and its warm runner) outlives its last terminal, in ms (default 60 s). */
  idleMs?: number;
  /** Its runner launcher (a packaged app: the script's copy; SessionManagerOptions.launcher). */
  launcher?: RunnerLauncherOptions;
}
let settings: Required<DefaultManagerOptions> = { warmRunners: 1, idleMs: IDLE_MS, launcher: {} };

/** Settings for the facade's manager; a manager already made keeps its own until it is disposed. */
export function configureDefaultManager(options: DefaultManagerOptions): void {
  const { warmRunners = settings.warmRunners, idleMs = settings.idleMs, launcher = settings.launcher } = options;
  if (!Number.isInteger(warmRunners) || warmRunners < 0 || warmRunners > 16) throw new RangeError(`warmRunners must be an integer 0..16, got ${warmRunners}`);
  if (!Number.isInteger(idleMs) || idleMs < 1 || idleMs > 0x7fff_ffff) throw new RangeError(`idleMs must be an integer 1..${0x7fff_ffff}, got ${idleMs}`);
  checkRunnerLauncherOptions(launcher);
  settings = { warmRunners, idleMs, launcher: { ...launcher } };
}

interface Current {
  manager: SessionManager;
  /** Its terminals not ended yet. */
  live: number;
  idleMs: number;
  idleTimer?: NodeJS.Timeout;
}
let current: Current | undefined;

/** Starts `options` through the facade's manager (made now if there is none). */
export function startOnDefaultManager(options: Parameters<SessionManager['start']>[0]): Session {
  const owner = (current ??= { manager: new SessionManager({ warmRunners: settings.warmRunners, warmIdleMs: settings.idleMs, launcher: settings.launcher }), live: 0, idleMs: settings.idleMs });
  clearTimeout(owner.idleTimer);
  const session = owner.manager.start(options);
  owner.live++;
  session.once('exit', () => {
    if (--owner.live > 0 || current !== owner) return;
    owner.idleTimer = setTimeout(() => void disposeDefaultManager(), owner.idleMs);
    owner.idleTimer.unref();
  });
  return session;
}

/**
 * Ends every terminal started without `manager` and closes the warm runner now (an app quitting,
 * a test checking that nothing is left). A later spawn makes a new manager.
 */
export async function disposeDefaultManager(): Promise<void> {
  const owner = current;
  current = undefined;
  clearTimeout(owner?.idleTimer);
  await owner?.manager.dispose();
}

/** The facade's manager while there is one (its sessions, its warm pool): for tests and the panel. */
export function defaultManager(): SessionManager | undefined {
  return current?.manager;
}
