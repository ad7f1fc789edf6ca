// Builds a codex home in a temp folder the way codex's elevated setup leaves it (openai/codex
// codex-rs/windows-sandbox-rs/src/bin/setup_main/win/sandbox_users.rs @ 21cce60ea30d5a467b4d205832151eecea1bdec0: write_secrets,
// write_setup_marker), with whatever password blobs a test gives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const OFFLINE = 'CodexSandboxOffline';
export const ONLINE = 'CodexSandboxOnline';

export interface CodexHomeFixture {
  home: string;
  markerFile: string;
  usersFile: string;
  legacyUsersFile: string;
  writeMarker(content: unknown): void;
  /** Writes the users file (`legacy`: where setups of version 2 put it, under `.sandbox`). */
  writeUsers(content: unknown, where?: 'secrets' | 'legacy'): void;
  writeRaw(file: string, bytes: string | Buffer): void;
}

export function marker(version = 5, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version,
    offline_username: OFFLINE,
    online_username: ONLINE,
    created_at: '2026-09-11T10:00:00+00:00',
    proxy_ports: [],
    allow_local_binding: false,
    read_roots: [],
    write_roots: [],
    ...overrides,
  };
}

export function users(offlinePassword: string, onlinePassword: string, version = 5): Record<string, unknown> {
  return { version, offline: { username: OFFLINE, password: offlinePassword }, online: { username: ONLINE, password: onlinePassword } };
}

/** A scratch root; every fixture made from it goes when `dispose()` runs. */
export function codexHomeScratch(prefix: string): { make(): CodexHomeFixture; dispose(): void } {
  const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  let n = 0;
  return {
    make() {
      const home = path.join(root, `home-${++n}`);
      const markerFile = path.join(home, '.sandbox', 'setup_marker.json');
      const usersFile = path.join(home, '.sandbox-secrets', 'sandbox_users.json');
      const legacyUsersFile = path.join(home, '.sandbox', 'sandbox_users.json');
      const writeRaw = (file: string, bytes: string | Buffer) => {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, bytes);
      };
      mkdirSync(home, { recursive: true });
      return {
        home,
        markerFile,
        usersFile,
        legacyUsersFile,
        writeRaw,
        writeMarker: (content) => writeRaw(markerFile, JSON.stringify(content, null, 2)),
        writeUsers: (content, where = 'secrets') => writeRaw(where === 'secrets' ? usersFile : legacyUsersFile, JSON.stringify(content, null, 2)),
      };
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
