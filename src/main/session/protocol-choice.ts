// What each runner file answered, for the life of its owner (a SessionManager): only the first
// session of a runner pays for the version search (version-search.ts). Keyed by the launch command
// and the file's path, size and mtime, so a replaced runner is searched again.
import { promises as fs } from 'node:fs';
import type { ProtocolVersion } from '../../protocol/versions';

export async function runnerIdentity(command: readonly string[], file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    return JSON.stringify([command, file, st.size, st.mtimeMs]);
  } catch {
    return JSON.stringify([command, file]);
  }
}

/** The protocol version each runner identity answered. */
export class RememberedVersions {
  private readonly known = new Map<string, ProtocolVersion>();

  get(identity: string): ProtocolVersion | undefined {
    return this.known.get(identity);
  }

  remember(identity: string, version: ProtocolVersion): void {
    this.known.set(identity, version);
  }

  forget(identity: string): void {
    this.known.delete(identity);
  }
}
