// The one contract between the app's main process and the runner launcher (both sides import
// it): the messages on the launcher's Node IPC channel, and their validation. Each side checks
// what it receives, so a bug on one side is a named error on the other, not a crash.
import { isPlainObject } from '../util/plain-object';

/** main -> launcher */
export type LauncherRequest =
  /** Start a runner: `exe args...` with exactly this environment, in `cwd` (default: the launcher's). */
  | { type: 'launch'; id: number; exe: string; args: string[]; env: Record<string, string>; cwd?: string }
  /** End runner `id` and its whole tree. */
  | { type: 'kill'; id: number };

/** launcher -> main */
export type LauncherEvent =
  /** Sent once at start. `subreaper` false: orphans of a killed runner cannot be found (`note` says why). */
  | { type: 'ready'; pid: number; subreaper: boolean; note?: string }
  | { type: 'launched'; id: number; pid: number }
  /** `code` is the errno name when the OS gave one (ENOENT, EACCES). */
  | { type: 'launch-failed'; id: number; code?: string; message: string }
  /** Runner stderr, base64; throttled, and only the newest bytes when it was more than the tail holds. */
  | { type: 'stderr'; id: number; data: string }
  /** The runner exited; its tree and any orphan it left are already gone. Sent after its last stderr. */
  | { type: 'exit'; id: number; code: number | null; signal: string | null };

/** Bytes of a runner's stderr the main side keeps (its tail): the launcher forwards no more than this at once. */
export const RUNNER_STDERR_TAIL_BYTES = 4096;

function isId(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

function isPid(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return isPlainObject(v) && Object.values(v).every((s) => typeof s === 'string');
}

/** Throws an Error naming what is wrong. */
export function toLauncherRequest(m: unknown): LauncherRequest {
  if (!isPlainObject(m)) throw new Error(`launcher request is not an object: ${JSON.stringify(m)?.slice(0, 80)}`);
  if (!isId(m.id)) throw new Error(`launcher request ${String(m.type)} has no valid id: ${JSON.stringify(m.id)}`);
  switch (m.type) {
    case 'launch':
      if (typeof m.exe !== 'string' || m.exe.length === 0) throw new Error(`launch ${m.id}: exe must be a non-empty string`);
      if (!isStringArray(m.args)) throw new Error(`launch ${m.id}: args must be an array of strings`);
      if (!isStringRecord(m.env)) throw new Error(`launch ${m.id}: env must map names to strings`);
      if (m.cwd !== undefined && typeof m.cwd !== 'string') throw new Error(`launch ${m.id}: cwd must be a string`);
      return { type: 'launch', id: m.id, exe: m.exe, args: m.args, env: m.env, ...(m.cwd !== undefined ? { cwd: m.cwd } : {}) };
    case 'kill':
      return { type: 'kill', id: m.id };
    default:
      throw new Error(`unknown launcher request type ${JSON.stringify(m.type)}`);
  }
}

/** Throws an Error naming what is wrong. */
export function toLauncherEvent(m: unknown): LauncherEvent {
  if (!isPlainObject(m)) throw new Error(`launcher event is not an object: ${JSON.stringify(m)?.slice(0, 80)}`);
  const bad = (what: string) => new Error(`launcher event ${String(m.type)}: ${what}`);
  switch (m.type) {
    case 'ready':
      if (!isPid(m.pid) || typeof m.subreaper !== 'boolean') throw bad('needs pid and subreaper');
      if (m.note !== undefined && typeof m.note !== 'string') throw bad('note must be a string');
      return { type: 'ready', pid: m.pid, subreaper: m.subreaper, ...(m.note !== undefined ? { note: m.note } : {}) };
    case 'launched':
      if (!isId(m.id) || !isPid(m.pid)) throw bad('needs id and pid');
      return { type: 'launched', id: m.id, pid: m.pid };
    case 'launch-failed':
      if (!isId(m.id) || typeof m.message !== 'string') throw bad('needs id and message');
      if (m.code !== undefined && typeof m.code !== 'string') throw bad('code must be a string');
      return { type: 'launch-failed', id: m.id, message: m.message, ...(m.code !== undefined ? { code: m.code } : {}) };
    case 'stderr':
      if (!isId(m.id) || typeof m.data !== 'string') throw bad('needs id and data');
      return { type: 'stderr', id: m.id, data: m.data };
    case 'exit':
      if (!isId(m.id)) throw bad('needs id');
      if (m.code !== null && !Number.isInteger(m.code)) throw bad('code must be an integer or null');
      if (m.signal !== null && typeof m.signal !== 'string') throw bad('signal must be a string or null');
      return { type: 'exit', id: m.id, code: m.code as number | null, signal: m.signal as string | null };
    default:
      throw new Error(`unknown launcher event type ${JSON.stringify(m.type)}`);
  }
}
