// The version-1 message set of codex's command runner (upstream `ipc_framed.rs`).
// Field names are the wire names, exactly; nothing here may be renamed.

export const PROTOCOL_VERSION = 1;

export interface SpawnRequest {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  policy_json_or_preset: string;
  sandbox_policy_cwd: string;
  codex_home: string;
  real_codex_home: string;
  cap_sids: string[];
  real_user_sid?: string | null;
  timeout_ms: number | null;
  tty: boolean;
  stdin_open: boolean;
  use_private_desktop: boolean;
}

export type OutputStream = 'stdout' | 'stderr';

/** Messages the parent sends to the runner (over `-in`). */
export type ParentMessage =
  | { type: 'spawn_request'; payload: SpawnRequest }
  | { type: 'stdin'; payload: { data_b64: string } }
  | { type: 'close_stdin'; payload: Record<string, never> }
  | { type: 'resize'; payload: { rows: number; cols: number } }
  | { type: 'terminate'; payload: Record<string, never> };

/** Messages the runner sends to the parent (over `-out`). */
export type RunnerMessage =
  | { type: 'spawn_ready'; payload: { process_id: number } }
  | { type: 'output'; payload: { data_b64: string; stream: OutputStream } }
  | { type: 'exit'; payload: { exit_code: number; timed_out: boolean } }
  | { type: 'error'; payload: { message: string; code: string } };

export type AnyMessage = ParentMessage | RunnerMessage;
export type ParentMessageType = ParentMessage['type'];
export type RunnerMessageType = RunnerMessage['type'];

/** Thrown for any frame that does not satisfy the protocol; `reason` names what was wrong. */
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

function describe(v: unknown): string {
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
const isUint = (max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isInt32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -0x8000_0000 && (v as number) <= 0x7fff_ffff;
const isTimeout = (v: unknown) => v === null || (Number.isInteger(v) && (v as number) >= 0);
// Canonical standard base64 (padded, zero trailing bits, as upstream's STANDARD engine requires) is
// exactly what survives a decode/encode round trip. Native, so ~8x faster than a regex on the
// hot path (256 KiB output frames; the regex took 60% of the parent's CPU in `npm run bench`).
// The bytes validation decoded, kept for payloadBytes(): the hot path decodes each frame once.
const decodedBytes = new WeakMap<object, Buffer>();
function dataField(payload: Obj, where: string): void {
  field(payload, 'data_b64', where, 'standard base64', (v) => {
    if (typeof v !== 'string' || v.length % 4 !== 0) return false;
    const bytes = Buffer.from(v, 'base64');
    if (bytes.toString('base64') !== v) return false;
    decodedBytes.set(payload, bytes);
    return true;
  });
}

/** The bytes a validated `output`/`stdin` payload carries. */
export function payloadBytes(payload: { data_b64: string }): Buffer {
  return decodedBytes.get(payload) ?? Buffer.from(payload.data_b64, 'base64');
}
const isStream = (v: unknown) => v === 'stdout' || v === 'stderr';

// Upstream serde defaults: these may be absent and then mean false.
const DEFAULTED_FALSE = ['stdin_open', 'use_private_desktop'] as const;

const parentChecks: Record<ParentMessageType, Check> = {
  spawn_request(p, w) {
    field(p, 'command', w, 'an array of strings', isStringArray);
    if ((p.command as string[]).length === 0) throw new ProtocolError(`${w}: field "command" must not be empty`);
    field(p, 'cwd', w, 'a string', isString);
    field(p, 'env', w, 'an object of strings', isStringMap);
    field(p, 'policy_json_or_preset', w, 'a string', isString);
    field(p, 'sandbox_policy_cwd', w, 'a string', isString);
    field(p, 'codex_home', w, 'a string', isString);
    field(p, 'real_codex_home', w, 'a string', isString);
    field(p, 'cap_sids', w, 'an array of strings', isStringArray);
    field(p, 'real_user_sid', w, 'a string or null', (v) => v === null || isString(v), true);
    field(p, 'timeout_ms', w, 'a non-negative integer or null', isTimeout);
    field(p, 'tty', w, 'a boolean', isBool);
    for (const key of DEFAULTED_FALSE) {
      field(p, key, w, 'a boolean', isBool, true);
      p[key] ??= false;
    }
  },
  stdin(p, w) {
    dataField(p, w);
  },
  close_stdin() {},
  resize(p, w) {
    field(p, 'rows', w, 'an integer 0..65535', isUint(0xffff));
    field(p, 'cols', w, 'an integer 0..65535', isUint(0xffff));
  },
  terminate() {},
};

const runnerChecks: Record<RunnerMessageType, Check> = {
  spawn_ready(p, w) {
    field(p, 'process_id', w, 'an integer 0..4294967295', isUint(0xffff_ffff));
  },
  output(p, w) {
    dataField(p, w);
    field(p, 'stream', w, '"stdout" or "stderr"', isStream);
  },
  exit(p, w) {
    field(p, 'exit_code', w, 'a 32-bit integer', isInt32);
    field(p, 'timed_out', w, 'a boolean', isBool);
  },
  error(p, w) {
    field(p, 'message', w, 'a string', isString);
    field(p, 'code', w, 'a string', isString);
  },
};

function validateEnvelope<T>(value: unknown, checks: Record<string, Check>, direction: string): T {
  if (!isObj(value)) throw new ProtocolError(`frame is not a JSON object (got ${describe(value)})`);
  if (!('version' in value)) throw new ProtocolError(`frame has no "version" (this side speaks version ${PROTOCOL_VERSION})`);
  if (value.version !== PROTOCOL_VERSION) {
    throw new ProtocolError(`unsupported protocol version ${describe(value.version)} (this side speaks version ${PROTOCOL_VERSION})`);
  }
  const type = value.type;
  if (typeof type !== 'string') throw new ProtocolError(`frame has no string "type" (got ${describe(type)})`);
  const check = Object.hasOwn(checks, type) ? checks[type] : undefined;
  if (!check) throw new ProtocolError(`unknown message type ${JSON.stringify(type.slice(0, 64))} ${direction}`);
  const payload = value.payload;
  if (!isObj(payload)) throw new ProtocolError(`${type}: "payload" must be an object (got ${describe(payload)})`);
  check(payload, type);
  return { type, payload } as T;
}

/** Validates a decoded JSON value as a message the runner may receive. */
export function toParentMessage(value: unknown): ParentMessage {
  return validateEnvelope<ParentMessage>(value, parentChecks, 'from the parent');
}

/** Validates a decoded JSON value as a message the parent may receive. */
export function toRunnerMessage(value: unknown): RunnerMessage {
  return validateEnvelope<RunnerMessage>(value, runnerChecks, 'from the runner');
}
