// Public API of codex-runner-ipc (main process / Node): the package's "." entry. Every type a
// signature below names is exported here too, so a strict TypeScript consumer can write it down.
// The wire level is `runnerProtocol` (not `protocol`: that name is Electron's).
export { Session, SessionError, type SessionResult, type SessionEvents } from './session/session';
export { SessionManager, DEFAULT_WARM_IDLE_MS, type SessionManagerOptions, type SessionManagerEvents } from './session/session-manager';
export type { SessionOptions, SandboxAccount, PasswordSource } from './session/session-options';
export * from './session/session-status';
export { defaultRunnerSpec, runnerSpecForPath, type RunnerSpec } from './launch/runner-spec';
export { RunnerLaunchError, type RunnerLauncherOptions } from './launch/launch-runner';
export { materializeRunner, sandboxBinDir, type MaterializeOptions } from './launch/materialize-runner';
export { createRunnerPipePair, type RunnerPipePair, type RunnerPipeOptions, type PipeRole } from '../os/runner-pipes';
export {
  BUILTIN_PERMISSIONS,
  builtinPermissionProfile,
  type BuiltinPermissions,
  type PermissionProfile,
  type ManagedFileSystemPermissions,
  type FileSystemSandboxEntry,
  type FileSystemPath,
  type FileSystemSpecialPath,
  type FileSystemAccessMode,
  type NetworkSandboxPolicy,
} from '../protocol/permissions';
export { PROTOCOL_VERSIONS, NEWEST_PROTOCOL_VERSION, isProtocolVersion, type ProtocolVersion } from '../protocol/versions';
export { ProtocolError, type OutputStream } from '../protocol/messages';
export * as runnerProtocol from '../protocol/public';
export { findCodexRunner, listCodexRunners, type CodexRunnerFile, type CodexRunnerCandidate, type FindCodexRunnerOptions } from './codex/home/runner-discovery';
export { sandboxReadiness, type SandboxReadiness, type SandboxReadinessOptions, type ReadinessState, type ReadinessReason, type ReadinessCode } from './codex/home/readiness';
export { SETUP_VERSION } from './codex/home/setup-version';
export { findCodexInstall, type CodexInstall, type CodexInstallLookup, type FindCodexInstallOptions } from './codex/install/find-codex-install';
export { findSetupHelper, type FindSetupHelperOptions } from './codex/install/setup-helper';
export { CodexInstallError, type CodexInstallProblem } from './codex/install/codex-install-error';
export type { RunnerVersion } from './codex/home/runner-version';
export { loadSandboxLogon, type SandboxLogon, type SandboxLogonOptions, type SandboxIdentity } from './codex/home/sandbox-users';
export { SecretText, SecretTextError, type SecretTextProblem } from './codex/home/secret-text';
export { CodexHomeError, type CodexHomeProblem } from './codex/home/codex-home-error';
export { setupSandbox, type SandboxSetupOptions, type SandboxSetupResult, type SetupStage as SandboxSetupStage } from './codex/sandbox-setup/setup-sandbox';
export { SandboxNotReadyError } from './codex/sandbox-setup/sandbox-not-ready-error';
