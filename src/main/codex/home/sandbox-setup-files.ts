// Reads and checks, field by field, the two files codex's elevated sandbox setup leaves in a
// codex home: the setup marker and the sandbox users file. Shapes as upstream's serde structs
// (openai/codex codex-rs/windows-sandbox-rs/src/setup.rs @ 02b89ce131792eb4465ccd16316ba7824b8a7220:
// SetupMarker, SandboxUsersFile, SandboxUserRecord): unknown fields are ignored, `#[serde(default)]`
// fields may be absent, every other field must be there with its type. Upstream treats a file
// that fails this as absent and re-runs setup; we cannot run setup, so we say which file and why.
import { promises as fs } from 'node:fs';
import { BoundedReadError, readBoundedFile } from '../../../util/read-bounded-file';
import { CodexHomeError } from './codex-home-error';
import { legacySandboxUsersPath, sandboxUsersPath, setupMarkerPath } from './codex-home-paths';
import { isPlainObject } from '../../../util/plain-object';

export const SETUP_HINT = 'run codex once with the Windows sandbox enabled so it sets up its sandbox users';

export interface SetupMarker {
  version: number;
  offlineUsername: string;
  onlineUsername: string;
  createdAt: string | null;
  /** The offline user's allowed loopback proxy ports (the firewall rules setup made). */
  proxyPorts: number[];
  allowLocalBinding: boolean;
}

export interface SandboxUserRecord {
  username: string;
  /** Standard base64 of the DPAPI blob of the password. */
  password: string;
}

export interface SandboxUsersFile {
  version: number;
  offline: SandboxUserRecord;
  online: SandboxUserRecord;
}

/** Setup files are a few KB (the marker may list roots); anything far bigger is not codex's. */
const MAX_SETUP_FILE_BYTES = 1 << 20;

const MARKER_LABEL = "codex's sandbox setup marker";
const USERS_LABEL = "codex's sandbox users file";

export async function readSetupMarker(codexHome: string): Promise<{ file: string; marker: SetupMarker }> {
  const file = setupMarkerPath(codexHome);
  const json = await readJsonFile(file, MARKER_LABEL, []);
  return { file, marker: parseSetupMarker(json, file) };
}

/** The users file under `.sandbox-secrets`, or where setups of version 2 left it (`.sandbox`) when the first is absent. */
export async function readSandboxUsers(codexHome: string): Promise<{ file: string; users: SandboxUsersFile }> {
  const current = sandboxUsersPath(codexHome);
  const legacy = legacySandboxUsersPath(codexHome);
  const file = (await exists(current)) || !(await exists(legacy)) ? current : legacy;
  const json = await readJsonFile(file, USERS_LABEL, file === current ? [legacy] : []);
  return { file, users: parseSandboxUsers(json, file) };
}

export function parseSetupMarker(json: unknown, file: string): SetupMarker {
  const fields = new FieldReader(json, file, MARKER_LABEL);
  return {
    version: fields.u32('version'),
    offlineUsername: fields.username('offline_username'),
    onlineUsername: fields.username('online_username'),
    createdAt: fields.optionalString('created_at'),
    proxyPorts: fields.portList('proxy_ports'),
    allowLocalBinding: fields.optionalBoolean('allow_local_binding'),
  };
}

export function parseSandboxUsers(json: unknown, file: string): SandboxUsersFile {
  const fields = new FieldReader(json, file, USERS_LABEL);
  const record = (key: 'offline' | 'online'): SandboxUserRecord => {
    fields.object(key);
    return { username: fields.username(`${key}.username`), password: fields.nonEmptyString(`${key}.password`) };
  };
  return { version: fields.u32('version'), offline: record('offline'), online: record('online') };
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The DPAPI blob in a user record's `password`: canonical standard base64 only, as upstream's
 * `BASE64_STANDARD.decode` (padding required, no stray characters, no trailing bits).
 */
export function passwordBlob(record: SandboxUserRecord, identity: 'offline' | 'online', file: string): Buffer {
  const text = record.password;
  const blob = STANDARD_BASE64.test(text) ? Buffer.from(text, 'base64') : null;
  if (!blob || blob.toString('base64') !== text) {
    throw corrupt(file, USERS_LABEL, `field "${identity}.password" is not standard base64`);
  }
  return blob;
}

/** The error for a setup file that is not there (or not a file). */
function missing(file: string, label: string, what: string, alsoLookedAt: string[]): CodexHomeError {
  const also = alsoLookedAt.length ? ` (nor ${alsoLookedAt.join(', ')}, where older setups put it)` : '';
  return new CodexHomeError('setup-missing', `${label} ${file} ${what}${also}: ${SETUP_HINT}`, { file });
}

function corrupt(file: string, label: string, problem: string): CodexHomeError {
  return new CodexHomeError('setup-corrupt', `${label} ${file} ${problem}: ${SETUP_HINT}`, { file });
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

async function readJsonFile(file: string, label: string, alsoLookedAt: string[]): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(file, MAX_SETUP_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    switch (err.problem) {
      case 'missing': throw missing(file, label, err.detail, alsoLookedAt);
      case 'not-a-file': throw missing(file, label, err.detail, []);
      case 'too-large': throw corrupt(file, label, `${err.detail}, far more than codex writes`);
      case 'unreadable': throw new CodexHomeError('setup-unreadable', `${label} ${file} ${err.detail}: ${SETUP_HINT}`, { file }, { cause: err });
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw corrupt(file, label, 'is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // Not the parser's message: V8 quotes the text around the fault.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw corrupt(file, label, `is not valid JSON${at === undefined ? '' : ` (at character ${at})`}`);
  }
}

/** Typed reads of dotted fields (`offline.username`) with errors that name the file and field. */
class FieldReader {
  constructor(
    private readonly json: unknown,
    private readonly file: string,
    private readonly label: string,
  ) {
    if (!isPlainObject(json)) throw corrupt(file, label, `is not a JSON object (found ${describe(json)})`);
  }

  private get(key: string): unknown {
    let value: unknown = this.json;
    for (const part of key.split('.')) value = isPlainObject(value) && Object.hasOwn(value, part) ? value[part] : undefined;
    return value;
  }

  private fail(key: string, expected: string, value: unknown): never {
    throw corrupt(this.file, this.label, value === undefined ? `has no field "${key}" (${expected})` : `field "${key}" must be ${expected} (found ${describe(value)})`);
  }

  object(key: string): void {
    const value = this.get(key);
    if (!isPlainObject(value)) this.fail(key, 'an object', value);
  }

  u32(key: string): number {
    const value = this.get(key);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) this.fail(key, 'a whole number from 0 to 4294967295', value);
    return value;
  }

  nonEmptyString(key: string): string {
    const value = this.get(key);
    if (typeof value !== 'string' || value === '') this.fail(key, 'a non-empty string', value);
    return value;
  }

  username(key: string): string {
    const value = this.nonEmptyString(key);
    // Control characters cannot be in a Windows account name; NUL would cut the name short in Win32 calls.
    if (/[\u0000-\u001f\u007f]/.test(value)) this.fail(key, 'an account name without control characters', value);
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') this.fail(key, 'a string or null', value);
    return value;
  }

  optionalBoolean(key: string): boolean {
    const value = this.get(key);
    if (value === undefined) return false;
    if (typeof value !== 'boolean') this.fail(key, 'true or false', value);
    return value;
  }

  portList(key: string): number[] {
    const value = this.get(key);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 0xffff)) {
      this.fail(key, 'a list of port numbers (0 to 65535)', value);
    }
    return value as number[];
  }
}

/** A value's type for an error message; short strings are quoted (names, versions), never long ones. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a long string';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
