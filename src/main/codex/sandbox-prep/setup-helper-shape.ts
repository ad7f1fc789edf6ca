// What a given codex-windows-sandbox-setup.exe reads, found in the helper itself (as the runner's protocol
// version is): its serde `struct Payload with N elements` gives the field set of its release, and the
// string `--launch-payload-env` says it takes a large payload through the environment. Measured on the
// releases the set-up fetches (scripts/wine/codex-releases.txt); each one's parse is checked under Wine
// (test/win32/codex-oracle/refresh-payload.test.ts). Every release checked (0.116.0 to 0.171.0) wants
// SETUP_VERSION 5 and ignores fields it does not know; a missing one is "failed to parse payload json".
import { createReadStream, promises as fs } from 'node:fs';

export type PayloadField =
  | 'version'
  | 'offline_username'
  | 'online_username'
  | 'codex_home'
  | 'command_cwd'
  | 'read_roots'
  | 'write_roots'
  | 'deny_read_paths'
  | 'deny_write_paths'
  | 'proxy_ports'
  | 'allow_local_binding'
  | 'otel'
  | 'real_user'
  | 'user_profile'
  | 'mode'
  | 'runtime'
  | 'refresh_only';

/** The helper's `Payload` fields by their count, in serde's order, as each release's strings list them. */
export const PAYLOAD_FIELDS: Readonly<Record<number, readonly PayloadField[]>> = {
  // 0.116.0
  10: ['version', 'offline_username', 'online_username', 'codex_home', 'command_cwd', 'read_roots', 'write_roots', 'real_user', 'mode', 'refresh_only'],
  // 0.128.0: the offline identity's firewall settings and write carve-outs
  13: ['version', 'offline_username', 'online_username', 'codex_home', 'command_cwd', 'read_roots', 'write_roots', 'deny_write_paths', 'proxy_ports', 'allow_local_binding', 'real_user', 'mode', 'refresh_only'],
  // 0.133.0 to 0.152.1: deny-read paths and telemetry
  15: ['version', 'offline_username', 'online_username', 'codex_home', 'command_cwd', 'read_roots', 'write_roots', 'deny_read_paths', 'deny_write_paths', 'proxy_ports', 'allow_local_binding', 'otel', 'real_user', 'mode', 'refresh_only'],
  // 0.171.0: the user's profile and the runtime (legacy | registered)
  17: ['version', 'offline_username', 'online_username', 'codex_home', 'command_cwd', 'read_roots', 'write_roots', 'deny_read_paths', 'deny_write_paths', 'proxy_ports', 'allow_local_binding', 'otel', 'real_user', 'user_profile', 'mode', 'runtime', 'refresh_only'],
};

export interface SetupHelperShape {
  /** The payload fields this helper's release reads, in order. */
  fields: readonly PayloadField[];
  /** It takes `--launch-payload-env` with the payload in CODEX_SANDBOX_LAUNCH_* variables. */
  envTransport: boolean;
}

/** The newest shape known (0.171.0's helper). */
export const LATEST_HELPER_SHAPE: SetupHelperShape = { fields: PAYLOAD_FIELDS[17]!, envTransport: true };

const PAYLOAD_MARKER = /struct Payload with (\d+) elements/;
const ENV_MARKER = '--launch-payload-env';

export class SetupHelperShapeError extends Error {
  override readonly name = 'SetupHelperShapeError';
}

/** The shape from the helper's bytes (plain logic: runs anywhere). */
export function shapeFromMarkers(fieldCount: number | undefined, envTransport: boolean, file: string): SetupHelperShape {
  if (fieldCount === undefined) {
    throw new SetupHelperShapeError(`${file} does not look like codex's sandbox setup helper: it has no "struct Payload with N elements"`);
  }
  const fields = PAYLOAD_FIELDS[fieldCount];
  if (!fields) {
    const known = Object.keys(PAYLOAD_FIELDS).join(', ');
    throw new SetupHelperShapeError(`${file} reads a payload of ${fieldCount} fields; this module knows the ${known}-field payloads of codex 0.116.0 to 0.171.0`);
  }
  return { fields, envTransport };
}

const cache = new Map<string, { key: string; shape: SetupHelperShape }>();

/**
 * Reads the helper once per (path, size, mtime) in bounded chunks, never the whole file at once:
 * both markers are ASCII, so a chunk overlap of a marker's length finds one split across chunks.
 */
export async function setupHelperShape(file: string): Promise<SetupHelperShape> {
  const stat = await fs.stat(file);
  const key = `${stat.size}:${stat.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.shape;
  let fieldCount: number | undefined;
  let envTransport = false;
  let tail = '';
  const overlap = 64;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = tail + (chunk as Buffer).toString('latin1');
    if (fieldCount === undefined) {
      const m = PAYLOAD_MARKER.exec(text);
      if (m) fieldCount = Number(m[1]);
    }
    if (!envTransport && text.includes(ENV_MARKER)) envTransport = true;
    tail = text.slice(-overlap);
  }
  const shape = shapeFromMarkers(fieldCount, envTransport, file);
  cache.set(file, { key, shape });
  return shape;
}
