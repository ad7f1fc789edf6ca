// The typed failure of a session that needs codex's sandbox users while they are not set up (or
// no longer work): before anything is launched when readiness is not `ready`, and after the logon
// errors upstream answers with a new setup (1326, 1312 outside WindowsApps, 1331). An app catches
// it (`result.error instanceof SandboxNotReadyError`, or `code === 'sandbox_not_ready'`) and offers
// setup: setupSandbox(), or the session option autoSetupSandbox.
import type { SandboxReadiness } from '../home/readiness';
import { SessionError } from '../../session/session-error';
import type { SetupStage } from '../../session/session-status';
import type { SandboxSetupResult } from './setup-sandbox';

export class SandboxNotReadyError extends SessionError {
  override readonly name = 'SandboxNotReadyError';
  readonly code = 'sandbox_not_ready';

  constructor(
    stage: SetupStage,
    readonly codexHome: string,
    readonly readiness: SandboxReadiness,
    /** What made it so, when it is not the files alone: a logon's Windows error code. */
    readonly logonError?: number,
    /** The setup this session ran (autoSetupSandbox), when it ran one and it did not succeed. */
    readonly setup?: SandboxSetupResult,
  ) {
    super(stage, notReadyMessage(codexHome, readiness, logonError, setup));
  }
}

function notReadyMessage(codexHome: string, readiness: SandboxReadiness, logonError: number | undefined, setup: SandboxSetupResult | undefined): string {
  const why = readiness.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
  const logon = logonError !== undefined ? `the sandbox user's logon failed with Windows error ${logonError}; ` : '';
  const ran = setup ? `; setup ${setup.outcome}${setup.code ? ` (${setup.code}${setup.message ? `: ${setup.message}` : ''})` : ''}` : '';
  const next = setup ? '' : " — run codex's sandbox setup: setupSandbox({ codexHome }), the CLI `codex-runner-ipc sandbox setup --codex-home DIR`, or the session option autoSetupSandbox: true (it asks for elevation)";
  return `codex's Windows sandbox in ${codexHome} is ${readiness.state.replace('_', ' ')}: ${logon}${why || 'no reason given'}${ran}${next}`;
}
