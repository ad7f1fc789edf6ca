// How the codex-real tests start codex's own runner under Wine, with the module's own preparation
// (capability SIDs from <codexHome>/cap_sid, a private desktop): a codex home holding only
// `.sandbox-bin/codex-command-runner-<release>.exe`, the runner launched as the current user
// (`sandbox: 'current'`: Wine's CreateProcessWithLogonW is a stub), and no setup-helper refresh
// (it fails under Wine, which has no CodexSandboxUsers group: codex-runner-prep.test.ts shows that).
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SessionDefaults } from '../../../src/main/session/public-options';
import type { CodexRelease } from '../../helpers/codex-releases';

/** Generous bounds: under Wine on two shared cores a runner's first start can take seconds. */
export const SLOW_MACHINE_BOUNDS = { connectMs: 60_000, spawnReadyMs: 60_000, terminateGraceMs: 10_000 } as const;

export interface RealCodexHome {
  /** The codex home: `.sandbox-bin/codex-command-runner-<release>.exe`, nothing else to start with. */
  home: string;
  /** A workspace to run commands in. */
  work: string;
  /** The copied runner. */
  runner: string;
  remove(): void;
}

export function realCodexHome(release: CodexRelease): RealCodexHome {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), `codex-real-${release.release}-`)));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  const runner = path.join(home, '.sandbox-bin', `codex-command-runner-${release.release}.exe`);
  copyFileSync(release.runner, runner);
  // A runner that was just killed may still hold its file for a moment under Wine: retry.
  return { home, work, runner, remove: () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }) };
}

export function realRunnerOptions(codex: RealCodexHome): SessionDefaults {
  return {
    runner: { kind: 'codex', codexHome: codex.home, refreshSandbox: false },
    sandbox: 'current',
    cwd: codex.work,
    timeouts: { ...SLOW_MACHINE_BOUNDS },
  };
}
