// codex's capability SIDs file, `<codexHome>/cap_sid` (windows-sandbox-rs/src/cap.rs): JSON
// `{"workspace","readonly","workspace_by_cwd":{},"writable_root_by_path":{}}`, or, from older
// installs, one SID as plain text (it becomes `workspace`). New SIDs are
// `S-1-5-21-<u32>-<u32>-<u32>-<u32>`, saved on first use. Unlike upstream, an unreadable JSON file
// is an error naming it (upstream silently starts a new one, which would orphan every ACL granted
// to the old SIDs), and writers here take a lock file and replace the file atomically, so two
// processes adding SIDs at once both keep theirs, even from different pid spaces (cap-sid-lock.ts).
// A `cap_sid` that is a symbolic link is written through to its target, as codex's own
// `std::fs::write` does: replacing the link with a file would leave every other home sharing that
// target with SIDs this one no longer sees.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { delay } from '../../../util/bounded-wait';
import { BoundedReadError, readBoundedFile } from '../../../util/read-bounded-file';
import { acquireLock, LockError, LOCK_WAIT_MS, removeStaleLeftovers, tempFileFor } from './cap-sid-lock';

export interface CapSids {
  workspace: string;
  readonly: string;
  /** Keyed by the canonical cwd key (canonical-path-key.ts). */
  workspace_by_cwd: Record<string, string>;
  /** Keyed by the canonical write-root key. */
  writable_root_by_path: Record<string, string>;
}

/** One SID wanted: the table it lives in and its key. */
export type CapSidSlot = { table: 'workspace_by_cwd' | 'writable_root_by_path'; key: string } | { table: 'readonly' };

/** What is wrong, so a fix can be named (doctor): its content, its kind, a link, access, the lock, the write. */
export type CapSidProblem = 'corrupt' | 'not-a-file' | 'link' | 'unreadable' | 'lock' | 'write';

export class CapSidFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly problem: CapSidProblem = 'corrupt',
  ) {
    super(`codex's capability SID file ${file} ${detail}`);
    this.name = 'CapSidFileError';
  }
}

export function capSidFile(codexHome: string): string {
  return path.join(codexHome, 'cap_sid');
}

/** Bigger than any real file by far: a cap_sid beyond it is not codex's. */
const MAX_FILE_BYTES = 1024 * 1024;
const SID = /^S-1-\d+(-\d+)+$/;

export function randomCapSid(): string {
  const b = randomBytes(16);
  return `S-1-5-21-${b.readUInt32LE(0)}-${b.readUInt32LE(4)}-${b.readUInt32LE(8)}-${b.readUInt32LE(12)}`;
}

/** The file's content as codex reads it; `legacy` when it held one SID as text. Throws naming the file. */
export function parseCapSids(text: string, file: string): { caps: CapSids; legacy: boolean } | undefined {
  const t = text.trim();
  if (t === '') return undefined; // upstream: treated as missing
  // Upstream takes `{...}` as JSON and anything else as one SID; a cut-off JSON file is JSON here.
  if (!t.startsWith('{')) {
    if (!SID.test(t)) throw new CapSidFileError(file, `is neither JSON nor one SID in text (starts ${JSON.stringify(t.slice(0, 20))}); move it away to let a new one be made`);
    return { caps: { workspace: t, readonly: randomCapSid(), workspace_by_cwd: {}, writable_root_by_path: {} }, legacy: true };
  }
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (err) {
    throw new CapSidFileError(file, `is not valid JSON (${(err as Error).message}); move it away to let a new one be made`);
  }
  const v = value as Record<string, unknown>;
  for (const name of ['workspace', 'readonly'] as const) {
    if (typeof v[name] !== 'string' || !SID.test(v[name] as string)) throw new CapSidFileError(file, `has no valid "${name}" SID`);
  }
  const table = (name: 'workspace_by_cwd' | 'writable_root_by_path'): Record<string, string> => {
    const t = v[name] ?? {};
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new CapSidFileError(file, `"${name}" is not an object`);
    for (const [key, sid] of Object.entries(t)) {
      if (typeof sid !== 'string' || !SID.test(sid)) throw new CapSidFileError(file, `"${name}"[${JSON.stringify(key)}] is not a SID`);
    }
    return { ...(t as Record<string, string>) };
  };
  return { caps: { workspace: v.workspace as string, readonly: v.readonly as string, workspace_by_cwd: table('workspace_by_cwd'), writable_root_by_path: table('writable_root_by_path') }, legacy: false };
}

function lookup(caps: CapSids, slot: CapSidSlot): string | undefined {
  return slot.table === 'readonly' ? caps.readonly : caps[slot.table][slot.key];
}

async function readCaps(file: string): Promise<{ caps: CapSids; legacy: boolean } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(file, MAX_FILE_BYTES);
  } catch (err) {
    if (err instanceof BoundedReadError && err.problem === 'missing') return undefined;
    if (err instanceof BoundedReadError && err.problem === 'too-large') throw new CapSidFileError(file, `is over ${MAX_FILE_BYTES} bytes: not codex's`);
    if (err instanceof BoundedReadError && err.problem === 'not-a-file') throw new CapSidFileError(file, err.detail, 'not-a-file');
    throw new CapSidFileError(file, err instanceof BoundedReadError ? err.detail : `cannot be read: ${(err as Error).message}`, 'unreadable');
  }
  return parseCapSids(bytes.toString('utf8'), file);
}

/**
 * The file the SIDs are read from and written to: `file` itself, or the target of a link there.
 * A link whose target does not exist is an error (treating it as missing would write a new file
 * over the link, away from the SIDs it was meant to share).
 */
async function capSidTarget(file: string): Promise<string> {
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st?.isSymbolicLink()) return file;
  try {
    return await fs.realpath(file);
  } catch (err) {
    const to = await fs.readlink(file).catch(() => '?');
    throw new CapSidFileError(file, `is a symbolic link to ${to}, which cannot be followed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): restore its target, or remove the link to let a new file be made`, 'link');
  }
}

/** The file as it stands, read without writing or locking (the doctor): undefined when missing or empty. Throws CapSidFileError. */
export async function readCapSidFile(codexHome: string): Promise<{ target: string; parsed?: { caps: CapSids; legacy: boolean } }> {
  const target = await capSidTarget(capSidFile(codexHome));
  return { target, parsed: await readCaps(target) };
}

/**
 * The SID for each slot, in order, from `<codexHome>/cap_sid`; missing ones (and the file itself)
 * are created. A read that finds them all writes nothing and takes no lock.
 */
export async function capSidsFor(codexHome: string, slots: CapSidSlot[], signal?: AbortSignal): Promise<string[]> {
  const file = capSidFile(codexHome);
  const target = await capSidTarget(file);
  const first = await readCaps(target);
  if (first && !first.legacy) {
    const found = slots.map((s) => lookup(first.caps, s));
    if (found.every((s) => s !== undefined)) return found as string[];
  }
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
  } catch (err) {
    throw new CapSidFileError(file, `cannot be created: its folder ${path.dirname(target)} could not be made (${(err as Error).message})`, 'unreadable');
  }
  const release = await lock(file, `${target}.lock`, signal);
  try {
    // Read again under the lock: another writer may have added SIDs since.
    const current = (await readCaps(target))?.caps ?? { workspace: randomCapSid(), readonly: randomCapSid(), workspace_by_cwd: {}, writable_root_by_path: {} };
    const sids = slots.map((slot) => {
      const have = lookup(current, slot);
      if (have !== undefined) return have;
      const sid = randomCapSid();
      if (slot.table !== 'readonly') current[slot.table][slot.key] = sid;
      return sid;
    });
    await removeStaleLeftovers(target); // what writers killed mid-write left
    await writeAtomically(target, JSON.stringify(current));
    return sids;
  } finally {
    await release();
  }
}

async function lock(file: string, lockFile: string, signal: AbortSignal | undefined): Promise<() => Promise<void>> {
  try {
    return await acquireLock(lockFile, signal);
  } catch (err) {
    if (!(err instanceof LockError)) throw err;
    if (err.problem === 'timeout') throw new CapSidFileError(file, `stayed locked by ${lockFile} for ${LOCK_WAIT_MS} ms (${err.message}); if no codex-runner-ipc process is running, delete the lock file`, 'lock');
    throw new CapSidFileError(file, `could not be locked: ${lockFile} ${err.message}`, 'lock');
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = await tempFileFor(file);
  try {
    await fs.writeFile(temp, text, { flag: 'wx' });
    // Windows refuses to replace a file another process (codex) has open at that instant: try again shortly.
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.rename(temp, file);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt >= 20 || !(code === 'EPERM' || code === 'EACCES' || code === 'EBUSY')) throw err;
        await delay(10 * (attempt + 1));
      }
    }
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw new CapSidFileError(file, `could not be written: ${(err as Error).message}`, 'write');
  }
}
