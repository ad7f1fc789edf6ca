// What a session that logs on as codex's sandbox users does about their setup, as upstream's
// identity.rs / runner_client.rs do, except that nothing asks for elevation unless the app opted
// in (autoSetupSandbox):
// - before anything is launched, readiness must be `ready`; else the session fails with
//   SandboxNotReadyError, or (opted in) setup runs first;
// - after a logon error upstream answers with a new setup (1326, 1312 outside WindowsApps, 1331,
//   from the logon or the runner's spawn_child), the users file is deleted (upstream's first step
//   of that recovery; readiness then says so), and the session fails with SandboxNotReadyError,
//   or (opted in) setup runs and the launch is tried once more. The command never started.
import { promises as fs } from 'node:fs';
import { sandboxUsersPath } from '../codex/home/codex-home-paths';
import { sandboxReadiness, type SandboxReadiness } from '../codex/home/readiness';
import { SandboxNotReadyError } from '../codex/sandbox-setup/sandbox-not-ready-error';
import { setupSandbox, type SandboxSetupOptions, type SandboxSetupResult } from '../codex/sandbox-setup/setup-sandbox';
import type { CodexInstallResolution } from '../codex/install/find-codex-install';
import type { SetupStage } from './session-status';

export interface GateOptions {
  codexHome: string;
  codexInstall?: string;
  /** codex's install as the session resolved it: readiness and setup do not look it up again. */
  install?: CodexInstallResolution;
  setupHelper?: string;
  autoSetupSandbox?: boolean;
  networkRestricted: boolean;
  /** Marks the session's stage (setting_up_sandbox while setup runs). */
  stage(stage: SetupStage): void;
  signal: AbortSignal;
  /** setupSandbox; tests on Linux give runSandboxSetup with a stand-in for the Windows-only platform. */
  runSetup?: (options: SandboxSetupOptions) => Promise<SandboxSetupResult>;
}

export interface SandboxGate {
  requireReady(): Promise<void>;
  /** Resolves when one more launch is worth it (setup ran and succeeded); else throws SandboxNotReadyError. */
  afterLogonFailure(code: number, failedAt: SetupStage): Promise<void>;
}

const HELPER_ONLY: ReadonlySet<string> = new Set(['helper_missing', 'install_unsupported']);
const ACCOUNT_PROBLEMS: ReadonlySet<string> = new Set(['account_missing', 'account_disabled', 'password_expired']);

export function sandboxGate(o: GateOptions): SandboxGate {
  const readiness = () =>
    sandboxReadiness({ codexHome: o.codexHome, ...(o.codexInstall ? { codexInstall: o.codexInstall } : {}), ...(o.install ? { install: o.install } : {}), ...(o.setupHelper ? { setupHelper: o.setupHelper } : {}), networkRestricted: o.networkRestricted });
  const deleteUsersFile = () => fs.rm(sandboxUsersPath(o.codexHome), { force: true }).catch(() => {});
  const setUp = async (): Promise<SandboxSetupResult> => {
    o.stage('setting_up_sandbox');
    return (o.runSetup ?? setupSandbox)({ codexHome: o.codexHome, ...(o.codexInstall ? { codexInstall: o.codexInstall } : {}), ...(o.install ? { install: o.install } : {}), ...(o.setupHelper ? { setupHelper: o.setupHelper } : {}), signal: o.signal });
  };
  return {
    async requireReady() {
      const before = await readiness();
      // The helper alone missing does not stop a logon: the refresh step (if on) reports it there.
      if (before.state === 'ready' || before.reasons.every((r) => HELPER_ONLY.has(r.code))) return;
      if (!o.autoSetupSandbox) throw new SandboxNotReadyError('preparing', o.codexHome, before);
      // Upstream, for an account missing, disabled or with an expired password: the users file goes first.
      if (before.reasons.some((r) => ACCOUNT_PROBLEMS.has(r.code))) await deleteUsersFile();
      const setup = await setUp();
      if (setup.outcome !== 'succeeded') throw new SandboxNotReadyError('setting_up_sandbox', o.codexHome, setup.readiness, undefined, setup);
      o.stage('preparing');
    },
    async afterLogonFailure(code, failedAt) {
      // Upstream deletes the users file before setting up again: these credentials are known bad.
      await deleteUsersFile();
      if (!o.autoSetupSandbox) throw new SandboxNotReadyError(failedAt, o.codexHome, logonFailed(await readiness(), code), code);
      const setup = await setUp();
      if (setup.outcome !== 'succeeded') throw new SandboxNotReadyError('setting_up_sandbox', o.codexHome, logonFailed(setup.readiness, code), code, setup);
    },
  };
}

/** Readiness after a logon failure: update_required, whatever the files say, with the logon's reason. */
function logonFailed(r: SandboxReadiness, code: number): SandboxReadiness {
  const reason = { code: 'logon_failed' as const, message: `the sandbox user's logon failed with Windows error ${code}; codex sets its users up again after this` };
  return { state: r.state === 'not_configured' ? 'not_configured' : 'update_required', reasons: [...r.reasons, reason] };
}
