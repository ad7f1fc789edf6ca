// Starts the runner as the current user. On Linux and macOS through the runner launcher (one
// helper process per SessionManager, src/launcher/), so the synchronous fork of Node's spawn never
// runs on the app's main thread and a runner's whole tree can be ended; on Windows, and when the
// launcher cannot start, directly. (Launching as the sandbox user goes through
// CreateProcessWithLogonW: platform/win32/logon-launch.ts.)
import { spawn } from 'node:child_process';
import { cwdProblem } from './cwd-problem';
import { LauncherRegistry, LauncherUnavailableError, type LaunchBounds } from './launcher-client';
import { launchFailureReason, RunnerLaunchError, TailBuffer, type RunnerExit, type RunnerProcess } from './runner-process';
import { bundledLauncherScript, nodeRuntimeEnv, runnerArgs, type RunnerSpec } from './runner-spec';

export { RunnerLaunchError, TailBuffer, type RunnerExit, type RunnerProcess } from './runner-process';

export interface RunnerLauncherOptions {
  /** The launcher script (default: beside the bundled runner). A packaged app ships it outside app.asar, as it does the runner. */
  script?: string;
  /** false: every runner is spawned directly from this thread, as before the launcher existed. Linux and macOS only. */
  enabled?: boolean;
  /** How long the launcher may take to answer a launch, or to report a killed runner's exit, before it is taken as hung and killed (default 30 s). */
  answerTimeoutMs?: number;
}

/** Refuses launcher options that are not what they say, by name. */
export function checkRunnerLauncherOptions(options: RunnerLauncherOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`runner launcher options must be an object, got ${JSON.stringify(options)}`);
  if (options.script !== undefined && (typeof options.script !== 'string' || options.script.length === 0)) {
    throw new TypeError(`runner launcher script must be a non-empty path, got ${JSON.stringify(options.script)}`);
  }
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') throw new TypeError(`runner launcher enabled must be a boolean, got ${JSON.stringify(options.enabled)}`);
  const ms = options.answerTimeoutMs;
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0 && ms <= 0x7fff_ffff)) {
    throw new TypeError(`runner launcher answerTimeoutMs must be an integer 1..${0x7fff_ffff}, got ${JSON.stringify(ms)}`);
  }
}

/**
 * Starts runners for one owner (a SessionManager, or a lone Session): through its own launcher
 * process where there is one, else directly. dispose() ends that launcher.
 */
export class RunnerStarter {
  private readonly enabled: boolean;
  private readonly registry: LauncherRegistry;

  constructor(options: RunnerLauncherOptions = {}) {
    checkRunnerLauncherOptions(options);
    this.enabled = (options.enabled ?? true) && process.platform !== 'win32';
    const { script, answerTimeoutMs } = options;
    this.registry = new LauncherRegistry(async () => ({
      script: script ?? bundledLauncherScript(),
      env: { ...stringEnv(process.env), ...nodeRuntimeEnv() },
      answerTimeoutMs,
    }));
  }

  /** `bounds`: the caller's abort and time limit on the launcher's answer (a direct spawn answers at once). */
  async launch(spec: RunnerSpec, names: { in: string; out: string }, cwd?: string, bounds: LaunchBounds = {}): Promise<RunnerProcess> {
    try {
      return await this.launchIn(spec, names, cwd, bounds);
    } catch (err) {
      // ENOENT is a missing runner or a missing cwd (gone since the launch plan checked it): say which.
      const fault = err instanceof RunnerLaunchError && err.code === 'ENOENT' && cwd !== undefined ? await cwdProblem(cwd) : undefined;
      if (fault) throw new RunnerLaunchError(`runner ${spec.exe} could not be started: its ${fault}`, 'ENOENT');
      throw err;
    }
  }

  /** The launcher's pid while one is up (the owner's one long-lived child). */
  launcherPid(): number | undefined {
    return this.registry.pid();
  }

  /** Ends the launcher and every runner tree it still holds; resolves once it has exited. */
  dispose(): Promise<void> {
    return this.registry.close();
  }

  private async launchIn(spec: RunnerSpec, names: { in: string; out: string }, cwd: string | undefined, bounds: LaunchBounds): Promise<RunnerProcess> {
    const env = spec.env ? { ...stringEnv(process.env), ...spec.env } : stringEnv(process.env);
    if (this.enabled) {
      try {
        return await this.registry.launch(spec.exe, runnerArgs(spec, names), env, cwd ?? process.cwd(), bounds);
      } catch (err) {
        if (!(err instanceof LauncherUnavailableError)) throw err;
        this.registry.warnOnce(`${err.message}; launching runners directly (on this thread, and a runner that dies leaves its command's orphans)`);
      }
    }
    return spawnRunnerDirectly(spec, names, env, cwd);
  }
}

/** The direct path: Node's spawn in this process (Windows; the fallback elsewhere). */
export function spawnRunnerDirectly(spec: RunnerSpec, names: { in: string; out: string }, env: Record<string, string>, cwd?: string): Promise<RunnerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.exe, runnerArgs(spec, names), {
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
      cwd,
      env,
    });
    const tail = new TailBuffer();
    child.stderr!.on('data', (chunk: Buffer) => tail.push(chunk));
    let exitInfo: RunnerExit | undefined;
    const exited = new Promise<RunnerExit>((settle) => {
      child.once('exit', (code, signal) => {
        exitInfo = { code, signal };
        // stderr may still hold the runner's last words; give it until it closes.
        if (child.stderr!.closed) settle(exitInfo);
        else child.stderr!.once('close', () => settle(exitInfo!));
      });
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) reject(new RunnerLaunchError(`runner ${spec.exe} could not be started: ${launchFailureReason(err.code, err.message)}`, err.code));
    });
    child.once('spawn', () =>
      resolve({
        pid: child.pid!,
        exited,
        exit: () => exitInfo,
        stderrTail: () => tail.toString(),
        // The runner alone: it ends its command's tree when its pipes close; the runner is
        // killed only when it did not exit by itself.
        kill: () => {
          if (!exitInfo) child.kill('SIGKILL');
        },
        holdProcess: (held) => {
          for (const handle of [child, child.stderr as unknown as { ref(): void; unref(): void }]) {
            if (held) handle.ref();
            else handle.unref();
          }
        },
      }),
    );
  });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}
