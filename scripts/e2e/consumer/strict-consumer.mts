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
  type RunnerLauncherOptions,
  type OutputStream,
} from 'codex-runner-ipc';
import { configureAppRunner, launcherScript, runnerScript, type AppFacts, type AppRunner } from 'codex-runner-ipc/electron/app-runner';
import type { RunnerPipesUpdate, RunnerPipesApi, OpenRunnerPipesPanelOptions } from 'codex-runner-ipc/electron';
import { runnerPipesBuilderConfig } from 'codex-runner-ipc/electron-builder';

const ok = (what: string) => console.log(`ok   ts: ${what}`);

const builtin: BuiltinPermissions = 'read-only';
const profile: PermissionProfile = builtinPermissionProfile(builtin);
const version: ProtocolVersion = 6;
const password: PasswordSource = async () => 'from a vault';
const account: SandboxAccount = { username: 'sandbox', credentials: { password } };
const onExit: (...args: SessionEvents['exit']) => void = (result) => void result.exitCode;
const update: RunnerPipesUpdate = { sessions: [] as SessionStatus[], pools: [] as PoolStatus[], readiness: [] };
const facts: AppFacts = { isPackaged: false };
const stream: OutputStream = 'stdout';
const paths: string[] = [runnerScript(null), launcherScript(null), ...runnerPipesBuilderConfig().extraResources.map((r) => r.from)];
type PanelOptions = Omit<OpenRunnerPipesPanelOptions, 'manager'>;
const panelOptions: PanelOptions = { width: 800 };
const api: keyof RunnerPipesApi = 'subscribe';
void [profile, version, account, update, stream, paths, panelOptions, api];

const app: AppRunner = configureAppRunner(facts);
const runner: RunnerSpec = app.runner;
const launcher: RunnerLauncherOptions = app.launcher;
const managerOptions: SessionManagerOptions = { defaults: { runner }, launcher };
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
