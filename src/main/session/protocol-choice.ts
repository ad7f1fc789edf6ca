// What each runner file answered, for the life of this process: only the first session of a
// runner pays for the version search (version-search.ts). Keyed by the launch command and the
// file's path, size and mtime, so a replaced runner is searched again.
import { promises as fs } from 'node:fs';
import type { ProtocolVersion } from '../../protocol/versions';

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
