// Public API of codex-runner-ipc (main process / Node).
export { Session, SessionError, type SessionResult } from './session/session';
export { SessionManager, type SessionManagerOptions } from './session/session-manager';
export type { SessionOptions, SandboxAccount } from './session/session-options';
export * from './session/session-status';
export { defaultRunnerSpec, runnerSpecForPath, type RunnerSpec } from './launch/runner-spec';
export { configureRunnerLauncher, runnerLauncherPid, type RunnerLauncherOptions } from './launch/launch-runner';
export { materializeRunner, sandboxBinDir } from './launch/materialize-runner';
export { createRunnerPipePair, type RunnerPipePair, type PipeRole } from './platform/runner-pipes';
export * as protocol from './protocol/public';
export { findCodexRunner, listCodexRunners, type CodexRunnerFile, type CodexRunnerCandidate, type FindCodexRunnerOptions } from './codex-home/runner-discovery';
export { loadSandboxLogon, type SandboxLogon, type SandboxLogonOptions, type SandboxIdentity } from './codex-home/sandbox-users';
export { SecretText } from './codex-home/secret-text';
export { CodexHomeError, type CodexHomeProblem } from './codex-home/codex-home-error';
