// Public API of codex-runner-ipc (main process / Node): the package's "." entry. What an app uses:
// the manager and its sessions, their options, status and results, the errors an app catches, the
// first-run calls (readiness, setup) and runner discovery. Internals (pipes, the launcher, codex
// home files, the wire protocol) are not part of it; test/api/public-surface.txt lists every name.
export { SessionManager, type SessionManagerOptions } from './session/session-manager';
export type { Session, SessionResult, SessionEvents } from './session/session';
export { SessionError } from './session/session-error';
export type { SessionOptions, RunnerChoice } from './session/public-options';
export type { SandboxAccount } from './session/session-options';
export type { SessionStatus, SessionStage, PoolStatus } from './session/session-status';
export type { RunnerSpec } from './launch/runner-spec';
export type { BuiltinPermissions, PermissionProfile } from '../protocol/permissions';
export { sandboxReadiness, type SandboxReadiness } from './codex/home/readiness';
export { setupSandbox, type SandboxSetupOptions, type SandboxSetupResult } from './codex/sandbox-setup/setup-sandbox';
export { SandboxNotReadyError } from './codex/sandbox-setup/sandbox-not-ready-error';
export { CodexHomeError } from './codex/home/codex-home-error';
export { CodexInstallError } from './codex/install/codex-install-error';
export { findCodexRunner } from './codex/home/runner-discovery';
export { findCodexInstall } from './codex/install/find-codex-install';
