// The message set of codex's command runner (upstream `ipc_framed.rs`) and its validation. Field
// names are the wire names, exactly; nothing here may be renamed. What differs between protocol
// versions (spawn_request's fields, the error payload) lives in versions.ts.
import { checkPermissionProfile } from './permissions';
import { isProtocolVersion, versionSpec, type FieldRule, type ProtocolVersion } from './versions';

/**
 * A validated `spawn_request` payload of some version: the fields every version has are typed,
 * the rest (policy_json_or_preset, permission_profile, workspace_roots...) depend on the version.
 */
export interface SpawnRequest {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  codex_home: string;
  real_codex_home: string;
  cap_sids: string[];
  timeout_ms: number | null;
  tty: boolean;
  stdin_open: boolean;
  use_private_desktop: boolean;
  [versionField: string]: unknown;
}

export type OutputStream = 'stdout' | 'stderr';

/** `{message, code}` (versions 1-3) or `{message, stage, windows_error_code}` (4+); either may come from any runner. */
export type ErrorPayload = { message: string; code: string } | { message: string; stage: string; windows_error_code: number | null };

/** Messages the parent sends to the runner (over `-in`). */
export type ParentMessage =
  | { type: 'spawn_request'; payload: SpawnRequest }
  | { type: 'stdin'; payload: { data_b64: string } }
  | { type: 'close_stdin'; payload: Record<string, never> }
  | { type: 'resize'; payload: { rows: number; cols: number } }
  | { type: 'terminate'; payload: Record<string, never> }
  /**
   * This package's addition, never sent to codex's runner (it has no signals): deliver a POSIX
   * signal to the command's own pid, as node-pty's kill() does. One of COMMAND_SIGNALS.
   */
  | { type: 'signal'; payload: { signal: CommandSignal } };

/** Messages the runner sends to the parent (over `-out`). */
export type RunnerMessage =
  | { type: 'spawn_ready'; payload: { process_id: number } }
  | { type: 'output'; payload: { data_b64: string; stream: OutputStream } }
  /** `signal` is this package's runner's addition (POSIX, only when a signal ended the command); codex's never sends it. */
  | { type: 'exit'; payload: { exit_code: number; timed_out: boolean; signal?: string } }
  | { type: 'error'; payload: ErrorPayload };

export type AnyMessage = ParentMessage | RunnerMessage;
export type ParentMessageType = ParentMessage['type'];
export type RunnerMessageType = RunnerMessage['type'];
/** A validated message with the version its envelope carried. */
export type Versioned<M> = M & { version: number };

/** Thrown for any frame that does not satisfy the protocol; the message names what was wrong. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

type Obj = Record<string, unknown>;
type Check = (payload: Obj, where: string) => void;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(payload: Obj, key: string, where: string, kind: string, ok: (v: unknown) => boolean, optional = false): void {
  if (!(key in payload) || payload[key] === undefined) {
    if (optional) return;
    throw new ProtocolError(`${where}: missing field "${key}" (expected ${kind})`);
  }
  if (!ok(payload[key])) {
    throw new ProtocolError(`${where}: field "${key}" must be ${kind}, got ${describe(payload[key])}`);
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

const isString = (v: unknown) => typeof v === 'string';
const isBool = (v: unknown) => typeof v === 'boolean';
const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isString);
const isStringMap = (v: unknown) => isObj(v) && Object.values(v).every(isString);
const isUint = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isInt32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -0x8000_0000 && (v as number) <= 0x7fff_ffff;
const isTimeout = (v: unknown) => v === null || (Number.isInteger(v) && (v as number) >= 0);
/** Upstream's AbsolutePathBuf: a drive path (C:\ or C:/), a UNC path, or a POSIX absolute path. */
const isAbsolutePath = (v: unknown) => typeof v === 'string' && (/^[A-Za-z]:[\\/]/.test(v) || v.startsWith('\\\\') || v.startsWith('/'));
// Canonical standard base64 (padded, zero trailing bits, as upstream's STANDARD engine requires).
// Node's decoder is lenient: it skips characters outside the alphabet, stops at '=', and takes the
// URL-safe '-' and '_'. So a string is canonical exactly when it decodes to the length its own
// length and padding promise, holds neither '-' nor '_', and its last quantum round-trips (the
// trailing bits are zero). All native passes over the string, no re-encoding of the whole payload:
// the parent's decode is its largest cost in `npm run bench`.
// The bytes validation decoded, kept for payloadBytes(): the hot path decodes each frame once.
const decodedBytes = new WeakMap<object, Buffer>();
export function canonicalBase64(v: string): Buffer | undefined {
  const len = v.length;
  if (len % 4 !== 0) return undefined;
  if (len === 0) return Buffer.alloc(0);
  const pad = v.charCodeAt(len - 1) === 0x3d ? (v.charCodeAt(len - 2) === 0x3d ? 2 : 1) : 0;
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length !== (len / 4) * 3 - pad || v.includes('-') || v.includes('_')) return undefined;
  const last = v.slice(-4);
  if (Buffer.from(last, 'base64').toString('base64') !== last) return undefined;
  return bytes;
}
function dataField(payload: Obj, where: string): void {
  field(payload, 'data_b64', where, 'standard base64', (v) => {
    if (typeof v !== 'string') return false;
    const bytes = canonicalBase64(v);
    if (!bytes) return false;
    decodedBytes.set(payload, bytes);
    return true;
  });
}

/** The bytes a validated `output`/`stdin` payload carries. */
export function payloadBytes(payload: { data_b64: string }): Buffer {
  return decodedBytes.get(payload) ?? Buffer.from(payload.data_b64, 'base64');
}
/** A POSIX signal name in this package's runner's exit report ("SIGTERM"): "SIG", then a bounded name. */
export const SIGNAL_NAME = /^SIG[A-Z0-9]{1,12}$/;
/**
 * The signal names a parent may ask this package's runner to deliver (`signal`): every name
 * Node's process.kill knows on Linux or macOS, the names node-pty's kill() takes. A fixed list, so
 * nothing else (a number, a made-up name) ever reaches a kill(2) call.
 */
export const COMMAND_SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGIOT', 'SIGBUS', 'SIGEMT', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGINFO', 'SIGSYS',
] as const;
export type CommandSignal = (typeof COMMAND_SIGNALS)[number];
export function isCommandSignal(v: unknown): v is CommandSignal {
  return (COMMAND_SIGNALS as readonly unknown[]).includes(v);
}
const isStream = (v: unknown) => v === 'stdout' || v === 'stderr';

const FIELD_KINDS: Record<FieldRule['kind'], [string, (v: unknown) => boolean]> = {
  string: ['a string', isString],
  strings: ['an array of strings', isStringArray],
  'string-map': ['an object of strings', isStringMap],
  bool: ['a boolean', isBool],
  timeout: ['a non-negative integer or null', isTimeout],
  'optional-string': ['a string or null', (v) => v === null || isString(v)],
  profile: ['a PermissionProfile', isObj],
  'absolute-paths': ['an array of absolute paths', (v) => Array.isArray(v) && v.every(isAbsolutePath)],
};

/**
 * A `spawn_request` payload as the runner of `version` reads it: every field that version's struct
 * requires, with its type; missing `Option`/`#[serde(default)]` fields become null/false; unknown
 * fields are ignored (serde does the same).
 */
export function checkSpawnRequest(p: Obj, version: ProtocolVersion): SpawnRequest {
  const w = 'spawn_request';
  for (const rule of versionSpec(version).fields) {
    const [kind, ok] = FIELD_KINDS[rule.kind];
    field(p, rule.name, w, kind, ok, rule.optional);
    if (rule.kind === 'profile') {
      try {
        checkPermissionProfile(p[rule.name], `${w}: field "${rule.name}"`);
      } catch (err) {
        throw new ProtocolError((err as Error).message);
      }
    }
    if (p[rule.name] === undefined) p[rule.name] = rule.kind === 'bool' ? false : null;
  }
  if ((p.command as string[]).length === 0) throw new ProtocolError(`${w}: field "command" must not be empty`);
  return p as SpawnRequest;
}

const parentChecks: Record<Exclude<ParentMessageType, 'spawn_request'>, Check> = {
  stdin(p, w) {
    dataField(p, w);
  },
  close_stdin() {},
  resize(p, w) {
    field(p, 'rows', w, 'an integer 0..65535', isUint(0, 0xffff));
    field(p, 'cols', w, 'an integer 0..65535', isUint(0, 0xffff));
  },
  terminate() {},
  signal(p, w) {
    field(p, 'signal', w, 'a signal name such as "SIGHUP"', isCommandSignal);
  },
};

const runnerChecks: Record<RunnerMessageType, Check> = {
  spawn_ready(p, w) {
    // 0 and 1 are never a command's pid (idle/system, init); refused so nothing downstream can be misled.
    field(p, 'process_id', w, 'an integer 2..4294967295', isUint(2, 0xffff_ffff));
  },
  output(p, w) {
    dataField(p, w);
    field(p, 'stream', w, '"stdout" or "stderr"', isStream);
  },
  exit(p, w) {
    field(p, 'exit_code', w, 'a 32-bit integer', isInt32);
    field(p, 'timed_out', w, 'a boolean', isBool);
    field(p, 'signal', w, 'a signal name such as "SIGTERM"', (v) => typeof v === 'string' && SIGNAL_NAME.test(v), true);
  },
  error(p, w) {
    field(p, 'message', w, 'a string', isString);
    if ('code' in p) return field(p, 'code', w, 'a string', isString);
    field(p, 'stage', w, 'a string (or "code", in the version 1-3 shape)', isString);
    field(p, 'windows_error_code', w, 'an integer 0..4294967295 or null', (v) => v === null || isUint(0, 0xffff_ffff)(v), true);
    p.windows_error_code ??= null;
  },
};

/** The envelope `{version, type, payload}`, checked for shape only. */
function envelope(value: unknown): { version: number; type: string; payload: Obj } {
  if (!isObj(value)) throw new ProtocolError(`frame is not a JSON object (got ${describe(value)})`);
  if (!('version' in value)) throw new ProtocolError('frame has no "version"');
  if (!isUint(0, 255)(value.version)) throw new ProtocolError(`frame "version" must be an integer 0..255 (got ${describe(value.version)})`);
  const type = value.type;
  if (typeof type !== 'string') throw new ProtocolError(`frame has no string "type" (got ${describe(type)})`);
  const payload = value.payload;
  if (!isObj(payload)) throw new ProtocolError(`${type.slice(0, 64)}: "payload" must be an object (got ${describe(payload)})`);
  return { version: value.version as number, type, payload };
}

function unknownType(type: string, direction: string): ProtocolError {
  return new ProtocolError(`unknown message type ${JSON.stringify(type.slice(0, 64))} ${direction}`);
}

function wrongVersion(got: number, expected: number): ProtocolError {
  return new ProtocolError(`unsupported protocol version ${got} (this session speaks version ${expected})`);
}

/**
 * Validates a decoded JSON value as a message the parent may receive from a runner speaking
 * `version`. An `error` is accepted whatever its version: a runner refusing our version answers in
 * its own (that is how a parent learns which version it speaks).
 */
export function toRunnerMessage(value: unknown, version: ProtocolVersion): Versioned<RunnerMessage> {
  const env = envelope(value);
  const check = Object.hasOwn(runnerChecks, env.type) ? runnerChecks[env.type as RunnerMessageType] : undefined;
  if (!check) throw unknownType(env.type, 'from the runner');
  if (env.version !== version && env.type !== 'error') throw wrongVersion(env.version, version);
  check(env.payload, env.type);
  return { version: env.version, type: env.type, payload: env.payload } as Versioned<RunnerMessage>;
}

/**
 * Validates a message the runner may receive. `version` is the session's version once known; the
 * first frame (`spawn_request`) is checked with the fields of the version its envelope names,
 * which must be one this side speaks.
 */
export function toParentMessage(value: unknown, version?: ProtocolVersion): Versioned<ParentMessage> {
  const env = envelope(value);
  if (env.type === 'spawn_request') {
    const v = version ?? env.version;
    if (!isProtocolVersion(v) || env.version !== v) throw wrongVersion(env.version, v);
    return { version: v, type: 'spawn_request', payload: checkSpawnRequest(env.payload, v) };
  }
  const check = Object.hasOwn(parentChecks, env.type) ? parentChecks[env.type as Exclude<ParentMessageType, 'spawn_request'>] : undefined;
  if (!check) throw unknownType(env.type, 'from the parent');
  if (version !== undefined && env.version !== version) throw wrongVersion(env.version, version);
  check(env.payload, env.type);
  return { version: env.version, type: env.type, payload: env.payload } as Versioned<ParentMessage>;
}

/**
 * What the runner said, after "runner ": `reported spawn_failed: <message>` (versions 1-3) or
 * `failed during spawn_child: <message> (Windows error 1312: <text>)` (4+).
 */
export function describeRunnerError(payload: ErrorPayload, windowsErrorText?: (code: number) => string): string {
  if ('code' in payload) return `reported ${payload.code}: ${payload.message}`;
  const code = payload.windows_error_code;
  const win = code === null ? '' : ` (Windows error ${code}${windowsErrorText ? `: ${windowsErrorText(code)}` : ''})`;
  return `failed during ${payload.stage}: ${payload.message}${win}`;
}
