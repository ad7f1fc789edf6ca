// A strict TypeScript consumer (ES module, "module": "nodenext"): every public type is named from
// its entry, `env: process.env` type-checks, and the compiled file runs a session.
import assert from 'node:assert/strict';
import {
  SessionManager,
  builtinPermissionProfile,
  type BuiltinPermissions,
  type PasswordSource,
  type PermissionProfile,
  type ProtocolVersion,
  type SandboxAccount,
  type SessionEvents,
  type SessionManagerOptions,
  type SessionOptions,
  type SessionResult,
  type SessionStatus,
  type PoolStatus,
  type RunnerSpec,
  type OutputStream,
} from 'codex-runner-ipc';
// "./electron" needs Electron to load: its types only here (an app's main process imports its values).
import type { AppFacts, OpenRunnerPipesPanelOptions, RunnerPipesPanel, configureAppRunner } from 'codex-runner-ipc/electron';
import { runnerPipesBuilderConfig } from 'codex-runner-ipc/electron-builder';

const ok = (what: string) => console.log(`ok   ts: ${what}`);

const builtin: BuiltinPermissions = 'read-only';
const profile: PermissionProfile = builtinPermissionProfile(builtin);
const version: ProtocolVersion = 6;
const password: PasswordSource = async () => 'from a vault';
const account: SandboxAccount = { username: 'sandbox', credentials: { password } };
const onExit: (...args: SessionEvents['exit']) => void = (result) => void result.exitCode;
const facts: AppFacts = { isPackaged: false };
const stream: OutputStream = 'stdout';
const paths: string[] = runnerPipesBuilderConfig().extraResources.map((r) => r.from);
type PanelOptions = Omit<OpenRunnerPipesPanelOptions, 'manager'>;
const panelOptions: PanelOptions = { width: 800 };
const closePanel: (panel: RunnerPipesPanel) => void = (panel) => panel.close();
const listed: { sessions: SessionStatus[]; pools: PoolStatus[] } = { sessions: [], pools: [] };
// What an app's main process does with configureAppRunner's answer (typed here; it runs only in Electron).
const appManagerOptions = (configure: typeof configureAppRunner): SessionManagerOptions => {
  const runner: RunnerSpec = configure(facts);
  return { defaults: { runner } };
};
void [profile, version, account, stream, paths, panelOptions, closePanel, listed, appManagerOptions];

// Unpacked, the app's runner is the installed package's own: the manager's default.
const managerOptions: SessionManagerOptions = {};
const manager = new SessionManager(managerOptions);
try {
  const options: SessionOptions = { command: ['sh', '-c', 'exit 5'], env: process.env, permissions: 'full-access', protocolVersion: version };
  const session = manager.start(options);
  session.on('exit', onExit);
  const result: SessionResult = await session.exited;
  assert.equal(result.exitCode, 5);
} finally {
  await manager.dispose();
}
ok('compiled with --strict, every public type named from its entry; env: process.env; the session exits 5');
