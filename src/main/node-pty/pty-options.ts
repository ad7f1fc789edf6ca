// node-pty's spawn options, checked and turned into a Session's. Every option is used, refused
// with the reason, ignored only where node-pty ignores it too (another OS's options), or unknown
// (a TypeError).
import { defaultCommandEnv } from '../session/command-env';
import type { SessionManager } from '../session/session-manager';
import type { SessionOptions } from '../session/public-options';

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
  /** 0 or absent: 80 columns, 24 rows (node-pty's defaults). */
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
  /**
   * How output is decoded (default "utf8"); `null`: onData gives Buffers, as node-pty. Strings
   * written are encoded the same way (utf8 when null).
   */
  encoding?: string | null;
  /** node-pty's automatic flow control: a write() of exactly `flowControlPause` pauses output, `flowControlResume` resumes it. */
  handleFlowControl?: boolean;
  /** Default XOFF ("\x13"). */
  flowControlPause?: string;
  /** Default XON ("\x11"). */
  flowControlResume?: string;
  /** Refused on Linux/macOS: the runner runs the command as its own account (`session.sandbox` chooses it). Ignored on Windows, as node-pty does. */
  uid?: number;
  gid?: number;
  /** Windows-only (ignored elsewhere, as node-pty does). On Windows the runner always uses the system's ConPTY. */
  useConpty?: boolean;
  useConptyDll?: boolean;
  conptyInheritCursor?: boolean;
  /** This package's: Session options for the runner (runner, sandbox, permissions, timeoutMs, timeouts, tty...). */
  session?: PtySessionOptions;
  /** This package's: start the session through this manager (default: the facade's own, with warm runners). */
  manager?: SessionManager;
}

/** node-pty's DEFAULT_FILE: what runs when spawn() is given no file. */
export const DEFAULT_FILE = process.platform === 'win32' ? 'cmd.exe' : 'sh';
/** node-pty's automatic flow control strings. */
export const FLOW_CONTROL_PAUSE = '\x13'; // XOFF
export const FLOW_CONTROL_RESUME = '\x11'; // XON

const WINDOWS = process.platform === 'win32';

/** Options node-pty has that this facade cannot honour where they apply: each is refused (with why) unless it has an allowed value. */
const REFUSED: Record<string, { allowed: unknown[]; why: string }> = WINDOWS
  ? {
      useConpty: { allowed: [undefined, null, true], why: 'the runner always uses ConPTY on Windows (winpty is not offered)' },
      useConptyDll: { allowed: [undefined, null, false], why: "the runner uses the system's ConPTY" },
      conptyInheritCursor: { allowed: [undefined, null, false], why: 'not offered by the runner' },
    }
  : {
      uid: { allowed: [undefined, null], why: 'the runner runs the command as its own account: choose it with session.sandbox' },
      gid: { allowed: [undefined, null], why: 'the runner runs the command as its own account: choose it with session.sandbox' },
    };
/** node-pty options that mean nothing on this OS: accepted whatever they hold, as node-pty does. */
const IGNORED = WINDOWS ? ['uid', 'gid'] : ['useConpty', 'useConptyDll', 'conptyInheritCursor'];
const USED = ['name', 'cols', 'rows', 'cwd', 'env', 'encoding', 'handleFlowControl', 'flowControlPause', 'flowControlResume', 'session', 'manager'];

/** The variables node-pty drops from an inherited environment: they describe this process's terminal, not the new one. */
const OWN_TERMINAL_VARS = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

export interface CheckedSpawn {
  file: string;
  /** The terminal's name (TERM). */
  name: string;
  session: SessionOptions;
  cols: number;
  rows: number;
  /** null: Buffers out. */
  encoding: BufferEncoding | null;
  flowControl: { handle: boolean; pause: string; resume: string };
  manager?: SessionManager;
}

/** The Session options for `spawn(file, args, options)`; throws a TypeError naming the first bad option. */
export function checkSpawn(givenFile: unknown, givenArgs: unknown, givenOptions: unknown): CheckedSpawn {
  // node-pty: `file || DEFAULT_FILE`, `args || []`, `opt || {}`.
  const file = givenFile === undefined || givenFile === null || givenFile === '' ? DEFAULT_FILE : givenFile;
  const args = givenArgs ?? [];
  const options = givenOptions ?? {};
  if (typeof file !== 'string') throw new TypeError(`spawn: file must be a string, got ${describe(file)}`);
  if (typeof args === 'string') {
    throw new TypeError(WINDOWS ? 'spawn: args as one command-line string is not supported: pass an array of arguments' : 'args as a string is not supported on unix.');
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new TypeError(`spawn: args must be an array of strings, got ${describe(args)}`);
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`spawn: options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const [key, value] of Object.entries(o)) {
    const refused = Object.hasOwn(REFUSED, key) ? REFUSED[key]! : undefined;
    if (refused) {
      if (!refused.allowed.includes(value)) throw new TypeError(`spawn option "${key}" ${describe(value)} is not supported: ${refused.why}`);
    } else if (!USED.includes(key) && !IGNORED.includes(key)) {
      throw new TypeError(`unknown spawn option "${key}" (known: ${[...USED, ...Object.keys(REFUSED), ...IGNORED].join(', ')})`);
    }
  }
  const cols = size(o, 'cols', RUNNER_START_COLS);
  const rows = size(o, 'rows', RUNNER_START_ROWS);
  for (const key of ['name', 'cwd', 'flowControlPause', 'flowControlResume'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new TypeError(`spawn option "${key}" must be a string, got ${describe(o[key])}`);
  }
  if (o.handleFlowControl !== undefined && typeof o.handleFlowControl !== 'boolean') throw new TypeError(`spawn option "handleFlowControl" must be a boolean, got ${describe(o.handleFlowControl)}`);
  const encoding = checkEncoding(o.encoding);
  const session = o.session ?? {};
  if (typeof session !== 'object' || session === null || Array.isArray(session)) throw new TypeError(`spawn option "session" must be an object of Session options, got ${describe(session)}`);
  for (const key of ['command', 'cwd', 'env', 'stdinOpen']) {
    if (key in session) throw new TypeError(`spawn option "session" must not hold "${key}": ${key === 'command' ? 'give file and args' : key === 'stdinOpen' ? 'stdin is always open' : `give "${key}" as a spawn option`}`);
  }
  const manager = o.manager as SessionManager | undefined;
  if (manager !== undefined && (typeof manager !== 'object' || manager === null || typeof manager.start !== 'function')) {
    throw new TypeError(`spawn option "manager" must be a SessionManager, got ${describe(manager)}`);
  }
  const cwd = (o.cwd as string | undefined) || process.cwd();
  const env = commandEnv(o.env);
  if (!WINDOWS) env.PWD = cwd; // node-pty's Unix backend sets it
  const name = (o.name as string | undefined) || env.TERM || DEFAULT_TERM_NAME;
  env.TERM = name;
  return {
    file,
    name,
    session: { tty: true, ...(session as PtySessionOptions), command: [file, ...(args as string[])], cwd, env, stdinOpen: true },
    cols,
    rows,
    encoding,
    flowControl: { handle: o.handleFlowControl === true, pause: (o.flowControlPause as string | undefined) || FLOW_CONTROL_PAUSE, resume: (o.flowControlResume as string | undefined) || FLOW_CONTROL_RESUME },
    manager,
  };
}

function checkEncoding(v: unknown): BufferEncoding | null {
  if (v === undefined) return 'utf8';
  if (v === null) return null;
  if (typeof v !== 'string' || !Buffer.isEncoding(v)) throw new TypeError(`spawn option "encoding" must be null or an encoding Node knows ("utf8", "base64", "latin1"...), got ${describe(v)}`);
  return v;
}

function size(o: Record<string, unknown>, key: 'cols' | 'rows', fallback: number): number {
  const v = o[key];
  if (v === undefined || v === 0) return fallback; // node-pty: `opt.cols || DEFAULT_COLS`
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
