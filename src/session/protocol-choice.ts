// Finding which protocol version a runner speaks. There is no handshake: the parent sends a
// spawn_request in some version and reads the first reply. A runner that cannot use the request
// refuses it before it spawns anything: an `error` at stage read_spawn_request (version 4+), an
// "unsupported protocol version" or request-parse message (versions 1-3 say it with
// code spawn_failed), or it ends with no reply at all. Only such a refusal is retried with an
// older version; anything else is the command's real outcome, reported as it is, so a command
// never runs twice. Upstream's runners answer a refusal in their own version: that hint lets the
// search jump straight to it.
import { promises as fs } from 'node:fs';
import type { ErrorPayload } from '../protocol/messages';
import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../protocol/versions';

/** The first thing a runner said after the spawn request (or that it said nothing). */
export type FirstReply =
  | { kind: 'ready' }
  | { kind: 'error'; payload: ErrorPayload; version: number }
  /** It ended (or closed its pipe) without a frame: `why` says how, e.g. "runner pid 7 exited with code 1"; `stderr` its last words, if any. */
  | { kind: 'silent'; why: string; stderr: string };

export interface ReplyVerdict {
  /** The runner refused the request before spawning anything. */
  refused: boolean;
  /** An older version the runner said it speaks (the version of its refusal frame). */
  hint?: ProtocolVersion;
  /** One line: what the runner answered. */
  text: string;
}

/** Messages of versions 1-3 (code "spawn_failed") that mean the request was not understood. */
const REFUSAL_TEXT = /unsupported protocol version|expected spawn_request|bad spawn request|missing field|unknown field|unknown variant|invalid type|pipe closed before spawn_request/i;

export function judgeFirstReply(reply: FirstReply, sent: ProtocolVersion): ReplyVerdict {
  if (reply.kind === 'ready') return { refused: false, text: 'spawn_ready' };
  if (reply.kind === 'silent') return { refused: true, text: `${reply.why} without a reply${reply.stderr}` };
  const p = reply.payload;
  const text = 'code' in p ? `error ${p.code}: ${p.message}` : `error at ${p.stage}: ${p.message}`;
  const refused = ('stage' in p && p.stage === 'read_spawn_request') || REFUSAL_TEXT.test(p.message);
  const hint = reply.version !== sent && isProtocolVersion(reply.version) ? reply.version : undefined;
  return { refused, text, ...(hint !== undefined ? { hint } : {}) };
}

/** The next version to try: the one a refusal named, else the newest not tried yet. */
export function nextVersion(tried: readonly ProtocolVersion[], hint?: ProtocolVersion): ProtocolVersion | undefined {
  if (hint !== undefined && !tried.includes(hint)) return hint;
  return PROTOCOL_VERSIONS.find((v) => !tried.includes(v));
}

// What each runner file answered, for the life of this process: only the first session of a
// runner pays for the search. Keyed by the launch command and the file's path, size and mtime,
// so a replaced runner is searched again.
const known = new Map<string, ProtocolVersion>();

export async function runnerIdentity(command: readonly string[], file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    return JSON.stringify([command, file, st.size, st.mtimeMs]);
  } catch {
    return JSON.stringify([command, file]);
  }
}

export function rememberedVersion(identity: string): ProtocolVersion | undefined {
  return known.get(identity);
}

export function rememberVersion(identity: string, version: ProtocolVersion): void {
  known.set(identity, version);
}

export function forgetVersion(identity: string): void {
  known.delete(identity);
}

/** For tests: forget every answer. */
export function clearRememberedVersions(): void {
  known.clear();
}
