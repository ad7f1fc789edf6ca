// Upstream's helper materialization: the sandbox user may not read the app's own folder, so
// the runner is copied into <codexHome>/.sandbox-bin/ (readable by the sandbox users) and the
// copy is launched. On any failure the original file is used, and the log says why.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface MaterializeOptions {
  /** The runner file beside the app. */
  source: string;
  /**
   * Package folders the runner loads (koffi and its native package), copied into
   * `.sandbox-bin/node_modules/<name>` so the copy finds them beside itself: the sandbox user may
   * not read the app's own node_modules (or an app.asar).
   */
  carry?: readonly string[];
  codexHome: string;
  /** The copy's file name (default: the source's). */
  destName?: string;
  /** Where `sandbox.log` goes; defaults to `<codexHome>/.sandbox`. */
  logDir?: string;
}

const MTIME_SLACK_MS = 2000;

/** A name that stays in its folder: no separator, drive colon or NUL, not `.` or `..`. */
export function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[\\/:\0]/.test(name);
}

export function sandboxBinDir(codexHome: string): string {
  return path.join(codexHome, '.sandbox-bin');
}

/**
 * Returns the path to launch: the fresh copy in `.sandbox-bin`, or `source` when copying failed.
 * Each call checks the copy (its size, time and hash); RunnerCopies remembers the answers.
 */
export function materializeRunner(options: MaterializeOptions): Promise<string> {
  const dest = copyPath(options);
  return dest instanceof Error ? Promise.reject(dest) : materialize(options, dest);
}

/** The runner copies one owner (a SessionManager) made: each copied and checked once, a fallback retried. */
export class RunnerCopies {
  private readonly made = new Map<string, Promise<string>>();

  materialize(options: MaterializeOptions): Promise<string> {
    const dest = copyPath(options);
    if (dest instanceof Error) return Promise.reject(dest);
    const key = `${path.resolve(options.source)}\0${dest}\0${(options.carry ?? []).join('\0')}`;
    let pending = this.made.get(key);
    if (!pending) {
      pending = materialize(options, dest).then((launched) => {
        if (launched !== dest) this.made.delete(key); // a fallback is retried next time
        return launched;
      });
      this.made.set(key, pending);
    }
    return pending;
  }
}

function copyPath(options: MaterializeOptions): string | Error {
  // The name comes from outside (a release string in codex's install): never a path.
  if (options.destName !== undefined && !isPlainFileName(options.destName)) return new Error(`the runner copy's name ${JSON.stringify(options.destName)} is not a plain file name`);
  return path.join(sandboxBinDir(options.codexHome), options.destName ?? path.basename(options.source));
}

async function materialize(options: MaterializeOptions, dest: string): Promise<string> {
  const logDir = options.logDir ?? path.join(options.codexHome, '.sandbox');
  try {
    // What the runner loads goes first: a runner copy that is there is one that can start.
    for (const pkg of options.carry ?? []) await copyPackage(pkg, path.join(path.dirname(dest), 'node_modules', packageName(pkg)));
    if (await copyIfStale(options.source, dest)) await log(logDir, `helper copy: copied ${options.source} -> ${dest}`);
    else await log(logDir, `helper copy: reused ${dest}`);
    return dest;
  } catch (err) {
    await log(logDir, `helper copy failed for ${options.source}; falling back to legacy path ${options.source}: ${(err as Error).message}`);
    return options.source;
  }
}

/**
 * Copies `source` to `dest` unless a fresh copy is there; true when it copied. Copy beside the
 * destination, then rename: the file takes the folder's ACLs and no reader ever sees half a file.
 */
async function copyIfStale(source: string, dest: string): Promise<boolean> {
  const src = await fs.stat(source);
  if (await isFresh(source, src, dest)) return false;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const temp = `${dest}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.copyFile(source, temp);
    await fs.utimes(temp, src.atime, src.mtime);
    await fs.rename(temp, dest);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  return true;
}

/** `<root>/node_modules/@scope/name` -> `@scope/name`; `<root>/node_modules/name` -> `name`. */
function packageName(dir: string): string {
  const parts = path.resolve(dir).split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at === parts.length - 1) throw new Error(`${dir} is not a folder inside a node_modules`);
  return parts.slice(at + 1).join('/');
}

/** Every file of a package folder, each copied only when stale; symlinks and other oddities are refused. */
async function copyPackage(from: string, to: string): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) await copyPackage(source, dest);
    else if (entry.isFile()) await copyIfStale(source, dest);
    else throw new Error(`${source} is neither a file nor a folder; refusing to copy it next to the runner`);
  }
}

async function isFresh(source: string, src: import('node:fs').Stats, dest: string): Promise<boolean> {
  let dst: import('node:fs').Stats;
  try {
    dst = await fs.stat(dest);
  } catch {
    return false;
  }
  // utimes keeps only what the filesystem can store (ms on ext4 via Date, 2 s on FAT), so a copy
  // made by us may look a hair older than its source; the hash below is the real check.
  if (dst.size !== src.size || dst.mtimeMs + MTIME_SLACK_MS < src.mtimeMs) return false;
  const [a, b] = await Promise.all([sha256(source), sha256(dest)]);
  return a === b;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

async function log(logDir: string, line: string): Promise<void> {
  try {
    await fs.mkdir(logDir, { recursive: true });
    await fs.appendFile(path.join(logDir, 'sandbox.log'), `${new Date().toISOString()} ${line}\n`);
  } catch {
    // Logging must never be the reason a session fails.
  }
}
