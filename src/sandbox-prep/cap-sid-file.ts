// codex's capability SIDs file, `<codexHome>/cap_sid` (windows-sandbox-rs/src/cap.rs): JSON
// `{"workspace","readonly","workspace_by_cwd":{},"writable_root_by_path":{}}`, or, from older
// installs, one SID as plain text (it becomes `workspace`). New SIDs are
// `S-1-5-21-<u32>-<u32>-<u32>-<u32>`, saved on first use. Unlike upstream, an unreadable JSON file
// is an error naming it (upstream silently starts a new one, which would orphan every ACL granted
// to the old SIDs), and writers here take a lock file and replace the file atomically, so two
// processes adding SIDs at once both keep theirs.
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BoundedReadError, readBoundedFile } from '../platform/read-bounded-file';

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

export class CapSidFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
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
/**
 * A lock holds its owner's pid and a random token. One whose pid is dead is taken over at once;
 * one that says nothing usable (or whose pid was reused) after STALE_LOCK_MS. A writer waits longer
 * than that, so a crashed writer's lock never fails a session.
 */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = STALE_LOCK_MS + 15_000;
const MAX_LOCK_BYTES = 4096;

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
    throw new CapSidFileError(file, err instanceof BoundedReadError ? err.detail : `cannot be read: ${(err as Error).message}`);
  }
  return parseCapSids(bytes.toString('utf8'), file);
}

/**
 * The SID for each slot, in order, from `<codexHome>/cap_sid`; missing ones (and the file itself)
 * are created. A read that finds them all writes nothing and takes no lock.
 */
export async function capSidsFor(codexHome: string, slots: CapSidSlot[], signal?: AbortSignal): Promise<string[]> {
  const file = capSidFile(codexHome);
  const first = await readCaps(file);
  if (first && !first.legacy) {
    const found = slots.map((s) => lookup(first.caps, s));
    if (found.every((s) => s !== undefined)) return found as string[];
  }
  await fs.mkdir(codexHome, { recursive: true });
  const release = await lockFile(`${file}.lock`, signal);
  try {
    // Read again under the lock: another writer may have added SIDs since.
    const current = (await readCaps(file))?.caps ?? { workspace: randomCapSid(), readonly: randomCapSid(), workspace_by_cwd: {}, writable_root_by_path: {} };
    const sids = slots.map((slot) => {
      const have = lookup(current, slot);
      if (have !== undefined) return have;
      const sid = randomCapSid();
      if (slot.table !== 'readonly') current[slot.table][slot.key] = sid;
      return sid;
    });
    await writeAtomically(file, JSON.stringify(current));
    return sids;
  } finally {
    await release();
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
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
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
      }
    }
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw new CapSidFileError(file, `could not be written: ${(err as Error).message}`);
  }
}

/**
 * An exclusive lock file, waited for without blocking the thread; a dead writer's lock is taken
 * over. An abort ends the wait: a session that gave up must not take the lock and write later.
 */
async function lockFile(lock: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const token = `${process.pid} ${randomUUID()}`;
  const readLock = (file: string) => readBoundedFile(file, MAX_LOCK_BYTES).then((b) => b.toString('utf8'), () => undefined);
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (signal?.aborted) throw signal.reason;
    try {
      await fs.writeFile(lock, token, { flag: 'wx' });
      return async () => {
        // Only our own lock: a writer that took over a stale one owns it now.
        if ((await readLock(lock)) === token) await fs.rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new CapSidFileError(lock.slice(0, -'.lock'.length), `could not be locked (${lock}): ${(err as Error).message}`);
    }
    const held = await readLock(lock);
    const age = await fs.stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (held !== undefined && (ownerIsDead(held) || age > STALE_LOCK_MS)) {
      await takeOverStaleLock(lock, held);
      continue;
    }
    if (Date.now() > deadline) throw new CapSidFileError(lock.slice(0, -'.lock'.length), `stayed locked by ${lock} for ${LOCK_WAIT_MS} ms; if no codex-runner-ipc process is running, delete the lock file`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** True when the lock names a pid that no longer exists (this machine's). */
function ownerIsDead(held: string): boolean {
  const pid = Number(/^(\d+) /.exec(held)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves a stale lock aside, atomically: of two processes taking over the same lock, one rename
 * wins and the other finds nothing. What was moved is checked: if it is not the stale lock seen
 * (someone took over in between and made a fresh one), it is put back without replacing anything.
 */
async function takeOverStaleLock(lock: string, stale: string): Promise<void> {
  const aside = `${lock}.stale-${randomUUID()}`;
  try {
    await fs.rename(lock, aside);
  } catch {
    return; // gone already: someone else took it over, or its owner released it
  }
  const moved = await readBoundedFile(aside, MAX_LOCK_BYTES).then((b) => b.toString('utf8'), () => undefined);
  if (moved !== stale) await fs.link(aside, lock).catch(() => {});
  await fs.rm(aside, { force: true }).catch(() => {});
}
