// One sandbox setup at a time per codex home, across processes: `<home>/.sandbox-setup.lock`, the
// same lock as cap_sid's (platform/file-lock.ts), kept fresh by a heartbeat while the setup runs
// (minutes, behind a UAC prompt). Taken over when its owner is provably dead in this pid space, or,
// whoever wrote it, when its heartbeat stopped for staleMs.
import * as path from 'node:path';
import { acquireFileLock, type FileLockOptions, type HeldLock, type LockOwner } from '../../../os/file-lock';

export const SETUP_LOCK_FILE = '.sandbox-setup.lock';
export const SETUP_LOCK_STALE_MS = 60_000;

export type { HeldLock, LockOwner };

export function setupLockFile(codexHome: string): string {
  return path.join(codexHome, SETUP_LOCK_FILE);
}

export type SetupLockOptions = Omit<FileLockOptions, 'staleMs' | 'heartbeat' | 'pollMs'> & {
  /** Default 60 s; the heartbeat runs at a quarter of it. */
  staleMs?: number;
  /** Default 250 ms. */
  pollMs?: number;
};

export function acquireSetupLock(file: string, options: SetupLockOptions = {}): Promise<HeldLock> {
  return acquireFileLock(file, { ...options, staleMs: options.staleMs ?? SETUP_LOCK_STALE_MS, pollMs: options.pollMs ?? 250, heartbeat: true });
}
