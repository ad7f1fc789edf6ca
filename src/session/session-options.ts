import type { RunnerSpec } from '../launch/runner-spec';

export interface SandboxAccount {
  /** The account the runner runs as; the pipes admit only it. Defaults to the current user. */
  username?: string;
  /** Windows: launch the runner as `username` through CreateProcessWithLogonW. */
  credentials?: { password: string; domain?: string };
}

export interface SessionOptions {
  /** argv of the command; `command[0]` is resolved by the runner. */
  command: string[];
  cwd?: string;
  /** The command's whole environment. Defaults to this process's environment without ELECTRON_RUN_AS_NODE (command-env.ts). */
  env?: Record<string, string>;
  /** Kill the command after this long (it then exits with 192, `timedOut: true`). */
  timeoutMs?: number | null;
  /** Keep the command's stdin open for `write`/`closeStdin`; otherwise it reads EOF. */
  stdinOpen?: boolean;
  tty?: boolean;
  sandbox?: SandboxAccount;
  /** Enables runner materialization into `<codexHome>/.sandbox-bin` and the runner's own cwd. */
  codexHome?: string;
  logDir?: string;
  /** The runner to start; defaults to this package's runner under this process's binary. */
  runner?: RunnerSpec;
  /** Per pipe: how long the runner may take to connect. Upstream: 15 s. */
  connectTimeoutMs?: number;
  /** How long the runner may take to answer the spawn request. Upstream: 15 s. */
  spawnReadyTimeoutMs?: number;
  /** After `terminate()`, how long the runner gets to report the exit before it is killed. */
  terminateGraceMs?: number;
  /** Passed through to the runner; this project's runner does not enforce them. */
  policy?: string;
  capSids?: string[];
  realUserSid?: string;
  usePrivateDesktop?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_SPAWN_READY_TIMEOUT_MS = 15_000;
export const DEFAULT_TERMINATE_GRACE_MS = 3_000;

const MAX_TIMER_MS = 0x7fff_ffff;

/**
 * Refuses bad options before anything is created, with an error naming the option. (The runner
 * would refuse them too, but only after pipes and a process exist.)
 */
export function validateSessionOptions(o: SessionOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('session options must be an object');
  const bad = (name: string, want: string, got: unknown) => new TypeError(`session option "${name}" must be ${want}, got ${describe(got)}`);
  if (!Array.isArray(o.command) || o.command.length === 0 || !o.command.every((a) => typeof a === 'string')) {
    throw new TypeError('command must be a non-empty array of strings');
  }
  for (const name of ['cwd', 'codexHome', 'logDir', 'policy', 'realUserSid'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'string') throw bad(name, 'a string', o[name]);
  }
  if (o.env !== undefined) {
    if (typeof o.env !== 'object' || o.env === null || Array.isArray(o.env)) throw bad('env', 'an object of strings', o.env);
    for (const [key, value] of Object.entries(o.env)) {
      if (typeof value !== 'string') throw new TypeError(`session option "env" must map names to strings; "${key}" is ${describe(value)}`);
    }
  }
  for (const name of ['stdinOpen', 'tty', 'usePrivateDesktop'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') throw bad(name, 'a boolean', o[name]);
  }
  if (o.timeoutMs !== undefined && o.timeoutMs !== null && !(Number.isInteger(o.timeoutMs) && o.timeoutMs >= 0)) {
    throw bad('timeoutMs', 'a non-negative integer or null', o.timeoutMs);
  }
  for (const name of ['connectTimeoutMs', 'spawnReadyTimeoutMs', 'terminateGraceMs'] as const) {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && v > 0 && v <= MAX_TIMER_MS)) throw bad(name, `an integer 1..${MAX_TIMER_MS}`, v);
  }
  if (o.capSids !== undefined && !(Array.isArray(o.capSids) && o.capSids.every((s) => typeof s === 'string'))) throw bad('capSids', 'an array of strings', o.capSids);
  if (o.runner !== undefined) {
    if (typeof o.runner !== 'object' || o.runner === null || typeof o.runner.exe !== 'string' || o.runner.exe === '') throw bad('runner', 'an object { exe, args? } with a non-empty exe', o.runner);
    if (o.runner.args !== undefined && !(Array.isArray(o.runner.args) && o.runner.args.every((a) => typeof a === 'string'))) throw bad('runner.args', 'an array of strings', o.runner.args);
  }
  if (o.sandbox?.username !== undefined && typeof o.sandbox.username !== 'string') throw bad('sandbox.username', 'a string', o.sandbox.username);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
