// node-pty's spawn options, checked and turned into a Session's. Every option is either used,
// refused with the reason, or unknown (a TypeError): nothing is silently ignored.
import { defaultCommandEnv } from '../session/command-env';
import type { SessionManager } from '../session/session-manager';
import type { SessionOptions } from '../session/session-options';

/** node-pty's DEFAULT_NAME: the TERM a command gets when neither `name` nor `env.TERM` says. */
export const DEFAULT_TERM_NAME = 'xterm';
/** The size the runner's terminal starts at (upstream's ConPTY size, our PTY's too). */
export const RUNNER_START_COLS = 80;
export const RUNNER_START_ROWS = 24;

/** What a Session takes besides what node-pty's options say: the runner, the account, permissions, a timeout... */
export type PtySessionOptions = Omit<SessionOptions, 'command' | 'cwd' | 'env' | 'stdinOpen'>;

export interface IPtyForkOptions {
  /** The terminal's name: the command's TERM (default: `env.TERM`, else "xterm", as node-pty). */
  name?: string;
  cols?: number;
  rows?: number;
  /** Default: this process's cwd, as node-pty. */
  cwd?: string;
  /**
   * Default: this process's environment without what must not reach a sandboxed command (see
   * `defaultCommandEnv`) and without the variables node-pty also drops; `process.env` itself is taken
   * the same way. Any other object is sent as given (undefined values left out).
   */
  env?: { [name: string]: string | undefined };
  /** Only UTF-8 (the default): `onData` gives strings. */
  encoding?: 'utf8' | 'utf-8';
  /** node-pty's XON/XOFF interception is not offered: only `false` is accepted. */
  handleFlowControl?: false;
  flowControlPause?: never;
  flowControlResume?: never;
  /** The runner runs the command as its own account (`session.sandbox` chooses it). */
  uid?: never;
  gid?: never;
  /** Windows: the runner always uses the system's ConPTY. */
  useConpty?: true;
  useConptyDll?: false;
  conptyInheritCursor?: false;
  /** This package's: Session options for the runner (runner, codexHome, permissions, timeoutMs, tty...). */
  session?: PtySessionOptions;
  /** This package's: start the session through this manager (warm runners, launch slots, listed in the panel). */
  manager?: SessionManager;
}

/** node-pty options this facade cannot honour, and why; each is refused when set to anything but its default. */
const REFUSED: Record<string, { allowed: unknown[]; why: string }> = {
  encoding: { allowed: [undefined, 'utf8', 'utf-8'], why: 'onData gives UTF-8 strings only; use Session (session.stdout) for bytes' },
  handleFlowControl: { allowed: [undefined, false], why: 'XON/XOFF interception is not offered; use pause()/resume(), which reach the command as backpressure' },
  flowControlPause: { allowed: [undefined], why: 'XON/XOFF interception is not offered' },
  flowControlResume: { allowed: [undefined], why: 'XON/XOFF interception is not offered' },
  uid: { allowed: [undefined], why: 'the runner runs the command as its own account: choose it with session.sandbox' },
  gid: { allowed: [undefined], why: 'the runner runs the command as its own account: choose it with session.sandbox' },
  useConpty: { allowed: [undefined, true], why: 'the runner always uses ConPTY on Windows' },
  useConptyDll: { allowed: [undefined, false], why: "the runner uses the system's ConPTY" },
  conptyInheritCursor: { allowed: [undefined, false], why: 'not offered by the runner' },
};
const USED = ['name', 'cols', 'rows', 'cwd', 'env', 'session', 'manager'];

/** The variables node-pty drops from an inherited environment: they describe this process's terminal, not the new one. */
const OWN_TERMINAL_VARS = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

export interface CheckedSpawn {
  session: SessionOptions;
  cols: number;
  rows: number;
  manager?: SessionManager;
}

/** The Session options for `spawn(file, args, options)`; throws a TypeError naming the first bad option. */
export function checkSpawn(file: unknown, args: unknown, options: unknown): CheckedSpawn {
  if (typeof file !== 'string' || file === '') throw new TypeError(`spawn: file must be a non-empty string, got ${describe(file)}`);
  if (typeof args === 'string') throw new TypeError('spawn: args as one command-line string is not supported: pass an array of arguments');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new TypeError(`spawn: args must be an array of strings, got ${describe(args)}`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`spawn: options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const [key, value] of Object.entries(o)) {
    const refused = Object.hasOwn(REFUSED, key) ? REFUSED[key]! : undefined;
    if (refused) {
      if (!refused.allowed.includes(value)) throw new TypeError(`spawn option "${key}" ${describe(value)} is not supported: ${refused.why}`);
    } else if (!USED.includes(key)) {
      throw new TypeError(`unknown spawn option "${key}" (known: ${[...USED, ...Object.keys(REFUSED)].join(', ')})`);
    }
  }
  const cols = size(o, 'cols', RUNNER_START_COLS);
  const rows = size(o, 'rows', RUNNER_START_ROWS);
  for (const key of ['name', 'cwd'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new TypeError(`spawn option "${key}" must be a string, got ${describe(o[key])}`);
  }
  const session = o.session ?? {};
  if (typeof session !== 'object' || session === null || Array.isArray(session)) throw new TypeError(`spawn option "session" must be an object of Session options, got ${describe(session)}`);
  for (const key of ['command', 'cwd', 'env', 'stdinOpen']) {
    if (key in session) throw new TypeError(`spawn option "session" must not hold "${key}": ${key === 'command' ? 'give file and args' : key === 'stdinOpen' ? 'stdin is always open' : `give "${key}" as a spawn option`}`);
  }
  const manager = o.manager as SessionManager | undefined;
  if (manager !== undefined && (typeof manager !== 'object' || manager === null || typeof manager.start !== 'function')) {
    throw new TypeError(`spawn option "manager" must be a SessionManager, got ${describe(manager)}`);
  }
  const env = commandEnv(o.env);
  env.TERM = (o.name as string | undefined) || env.TERM || DEFAULT_TERM_NAME;
  return {
    session: { tty: true, ...(session as PtySessionOptions), command: [file, ...(args as string[])], cwd: (o.cwd as string | undefined) ?? process.cwd(), env, stdinOpen: true },
    cols,
    rows,
    manager,
  };
}

function size(o: Record<string, unknown>, key: 'cols' | 'rows', fallback: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 0xffff) throw new TypeError(`spawn option "${key}" must be an integer 1..65535, got ${describe(v)}`);
  return v as number;
}

function commandEnv(given: unknown): Record<string, string> {
  // node-pty's own habit: `env: process.env` is the inherited environment, sanitized as the default is.
  if (given === undefined || given === process.env) {
    const env = defaultCommandEnv();
    for (const name of OWN_TERMINAL_VARS) delete env[name];
    return env;
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new TypeError(`spawn option "env" must be an object, got ${describe(given)}`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue; // process.env's shape: absent
    if (typeof value !== 'string') throw new TypeError(`spawn option "env" must map names to strings; "${name}" is ${describe(value)}`);
    env[name] = value;
  }
  return env;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
