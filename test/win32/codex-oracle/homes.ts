// Codex homes made for the oracle tests, as codex's elevated setup leaves them (codex-home-fixture.ts),
// with real DPAPI blobs. Under Wine no codex sandbox account can exist (no local groups or users can be
// made), so a "ready" home names the account this process runs as, which does exist there.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { currentTokenUser } from '../../../src/os/win32/current-user';
import { protectData } from '../../../src/os/win32/dpapi';
import { marker } from '../../helpers/codex-home-fixture';

export interface MadeHome {
  home: string;
  markerFile: string;
  usersFile: string;
}

export function freshHome(root: string, name: string): MadeHome {
  const home = path.join(root, name);
  mkdirSync(home, { recursive: true });
  return { home, markerFile: path.join(home, '.sandbox', 'setup_marker.json'), usersFile: path.join(home, '.sandbox-secrets', 'sandbox_users.json') };
}

function write(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/**
 * A home whose marker and users file (SETUP_VERSION 5, machine-scope DPAPI passwords) name `accounts`
 * (default: this process's own account, which exists under Wine), with marker overrides.
 */
export async function readyHome(root: string, name: string, options: { accounts?: { offline: string; online: string }; marker?: Record<string, unknown> } = {}): Promise<MadeHome> {
  const made = freshHome(root, name);
  const me = (await currentTokenUser()).name;
  const accounts = options.accounts ?? { offline: me, online: me };
  write(made.markerFile, marker(5, { offline_username: accounts.offline, online_username: accounts.online, ...options.marker }));
  const blob = (await protectData(Buffer.from('not-a-real-password', 'utf8'), 'machine')).toString('base64');
  write(made.usersFile, { version: 5, offline: { username: accounts.offline, password: blob }, online: { username: accounts.online, password: blob } });
  return made;
}
