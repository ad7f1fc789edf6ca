// A strict TypeScript consumer (ES module, "module": "nodenext"): every public type is named from
// its entry, `env: process.env` type-checks, and the compiled file runs a session.
import assert from 'node:assert/strict';
import {
  SessionManager,
  type BuiltinPermissions,
  type PermissionProfile,
  type RunnerChoice,
  type SandboxAccount,
  type Session,
  type SessionEvents,
  type SessionManagerOptions,
  type SessionOptions,
  type SessionResult,
  type SessionStage,
  type SessionStatus,
  type PoolStatus,
  type RunnerSpec,
  type SandboxReadiness,
  type SandboxSetupOptions,
  type SandboxSetupResult,
} from 'codex-runner-ipc';
// "./electron" needs Electron to load: its types only here (an app's main process imports its values).
import type { AppFacts, AppRunner, OpenRunnerPipesPanelOptions, RunnerPipesPanel, configureAppRunner } from 'codex-runner-ipc/electron';
import { runnerPipesBuilderConfig } from 'codex-runner-ipc/electron-builder';

const ok = (what: string) => console.log(`ok   ts: ${what}`);

const builtin: BuiltinPermissions = 'read-only';
const profile: PermissionProfile = { type: 'managed', file_system: { type: 'unrestricted' }, network: 'restricted' };
const version: NonNullable<SessionOptions['advanced']>['protocolVersion'] = 6;
const password: NonNullable<SandboxAccount['credentials']>['password'] = async () => 'from a vault';
const codex: RunnerChoice = { kind: 'codex', codexHome: 'C:\\Users\\me\\.codex', autoSetupSandbox: true };
const stage: SessionStage = 'exited';
const setup: SandboxSetupOptions = { codexHome: 'C:\\Users\\me\\.codex' };
const readiness: SandboxReadiness['state'] = 'ready';
const setupOutcome: SandboxSetupResult['outcome'] | undefined = undefined;
const account: SandboxAccount = { username: 'sandbox', credentials: { password } };
const onExit: (...args: SessionEvents['exit']) => void = (result) => void result.exitCode;
const facts: AppFacts = { isPackaged: false };
const paths: string[] = runnerPipesBuilderConfig().extraResources.map((r) => r.from);
type PanelOptions = Omit<OpenRunnerPipesPanelOptions, 'manager'>;
const panelOptions: PanelOptions = { width: 800 };
const closePanel: (panel: RunnerPipesPanel) => void = (panel) => panel.close();
const listed: { sessions: SessionStatus[]; pools: PoolStatus[] } = { sessions: [], pools: [] };
// What an app's main process does with configureAppRunner's answer (typed here; it runs only in Electron).
const appManagerOptions = (configure: typeof configureAppRunner): SessionManagerOptions => {
  const { runner, launcher }: AppRunner = configure(facts);
  const spec: RunnerSpec = runner.spec;
  void spec;
  return { defaults: { runner, timeouts: { connectMs: 30_000 } }, launcher };
};
void [builtin, profile, version, account, paths, panelOptions, closePanel, listed, appManagerOptions, codex, stage, setup, readiness, setupOutcome];

// Unpacked, the app's runner is the installed package's own: the manager's default.
const managerOptions: SessionManagerOptions = { defaults: { timeouts: { connectMs: 30_000 } } };
const manager = new SessionManager(managerOptions);
try {
  const options: SessionOptions = { command: ['sh', '-c', 'exit 5'], env: process.env, permissions: 'full-access', advanced: { protocolVersion: version } };
  const session: Session = manager.start(options);
  session.on('exit', onExit);
  const result: SessionResult = await session.exited;
  assert.equal(result.exitCode, 5);
} finally {
  await manager.dispose();
}
ok('compiled with --strict, every public type named from its entry; env: process.env; the session exits 5');
