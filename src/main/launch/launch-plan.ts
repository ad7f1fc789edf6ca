// Which runner to start, as whom, and what that means for the policy: resolved once per session
// before any pipe exists (the pipes admit only the account the runner will run as).
import * as path from 'node:path';
import * as fs from 'node:fs/promises';
import { SecretText } from '../codex/home/secret-text';
import { CodexHomeError } from '../codex/home/codex-home-error';
import { installProblemSummary, type CodexInstallError } from '../codex/install/codex-install-error';
import { resolveCodexInstall, type CodexInstall } from '../codex/install/find-codex-install';
import { cwdProblem } from './cwd-problem';
import { materializeRunner, type RunnerCopies } from './materialize-runner';
import { defaultRunnerSpec, withMaterializedFile, type RunnerSpec } from './runner-spec';
import { isRestrictedProfile, profileAllowsNetwork, type ResolvedPermissions } from '../../protocol/permissions';
import type { SpawnInput } from '../../protocol/versions';
import type { SandboxSetupOptions, SandboxSetupResult } from '../codex/sandbox-setup/setup-sandbox';
import { checkCodexRunnerProfile, prepareCodexSandbox, type PreparedSandbox, type SandboxPrepStatus } from '../codex/sandbox-prep/prepare-sandbox';
import type { PrivateDesktops } from '../codex/sandbox-prep/private-desktops';
import type { SandboxRefreshes } from '../codex/sandbox-prep/sandbox-refresh';
import type { LaunchPlan, LogonSource } from '../session/runner-connection';
import { sandboxGate } from '../session/sandbox-gate';
import { SessionError } from '../session/session-error';
import type { PasswordSource, SandboxAccount, SessionConfig } from '../session/session-options';
import type { PolicyStatus, RunnerStatus, SetupStage } from '../session/session-status';

export interface ResolvedLaunch {
  plan: LaunchPlan;
  /** What makes two launches interchangeable (a warm runner of one serves the other); undefined: never warmed. */
  warmKey?: string;
  /** The warm key for people: runner file, account, version. */
  warmLabel: string;
  runner: RunnerStatus;
  policy: PolicyStatus;
  /** The file whose identity (path, size, mtime) the protocol version is remembered by. */
  identityFile: string;
  /** codex's runner: what the preparation changed in the spawn input, and its status. */
  sandboxPrep?: PreparedSandbox;
}

/** What the codex-runner preparation needs from the session (sandbox-prep/). */
export interface LaunchPrep {
  input: SpawnInput;
  desktops: PrivateDesktops;
  /** The owner's sandbox refreshes and runner copies: each done once per owner, not per session. */
  refreshes: SandboxRefreshes;
  runnerCopies: RunnerCopies;
  signal: AbortSignal;
  stage(stage: SetupStage): void;
  /** The preparation step under way ("sandbox refresh"), for a bound's message. */
  step?(name: string): void;
}
export type { SandboxPrepStatus };

/** How the codex home's runner and sandbox users are found; supplied by the codex-home module. */
export interface CodexHomeAccess {
  findRunner(codexHome: string, codexVersion: string | undefined): Promise<string>;
  logon(codexHome: string, networkRestricted: boolean): Promise<LogonSource>;
  /** codex's sandbox setup (default setupSandbox); Linux tests stand in for its Windows-only platform. */
  setup?(options: SandboxSetupOptions): Promise<SandboxSetupResult>;
}

export async function resolveLaunch(o: SessionConfig, permissions: ResolvedPermissions, password: PasswordSource | undefined, codex: CodexHomeAccess, prep?: LaunchPrep): Promise<ResolvedLaunch> {
  const codexRunner = o.runner === 'codex' || (typeof o.runner === 'object' && o.runner.kind === 'codex');
  // Before anything is looked up or made: codex's runner would refuse these profiles at spawn_child.
  if (codexRunner) {
    try {
      checkCodexRunnerProfile(permissions);
    } catch (err) {
      throw new SessionError('preparing', (err as Error).message);
    }
  }
  const sandbox: SandboxAccount | 'codex' | 'current' | undefined = o.sandbox ?? (o.runner === 'codex' ? 'codex' : undefined);
  const networkRestricted = !profileAllowsNetwork(permissions.profile);
  const logsOn = sandbox === 'codex' || (sandbox !== 'current' && sandbox?.credentials !== undefined && password !== undefined);
  // Upstream starts codex's runner in the command's own cwd (runner_client.rs); it never had a
  // `.sandbox/runner-cwd`. So does any runner started as another account (a logon): this process's
  // cwd may be closed to that account. Other runners start where this process runs.
  const runnerCwd = codexRunner || logsOn ? (prep?.input.cwd ?? o.cwd) : undefined;
  // Checked before anything is made or set up for it (a UAC prompt, a SID in cap_sid, a refresh):
  // the launch would say only ENOENT.
  const cwdFault = runnerCwd === undefined ? undefined : await cwdProblem(runnerCwd);
  if (cwdFault) throw new SessionError('preparing', cwdFault);
  const gated = sandbox === 'codex' && prep !== undefined;
  // codex's install, looked up once for the whole session: the gate's readiness (and its setup),
  // the runner, and the refresh's helper all take it from here.
  const resolved = codexRunner || gated ? await resolveCodexInstall(o.codexInstall !== undefined ? { codexInstall: o.codexInstall } : {}) : undefined;
  const gate =
    gated && prep
      ? sandboxGate({ codexHome: o.codexHome!, ...(o.codexInstall !== undefined ? { codexInstall: o.codexInstall } : {}), ...(resolved ? { install: resolved } : {}), ...(o.setupHelper ? { setupHelper: o.setupHelper } : {}), autoSetupSandbox: o.autoSetupSandbox === true, networkRestricted, stage: prep.stage, signal: prep.signal, ...(codex.setup ? { runSetup: codex.setup } : {}) })
      : undefined;
  // codex's sandbox users must be set up before anything is looked up in codex's home or launched.
  await gate?.requireReady();
  // codex's install: where codex itself takes its runner and its setup helper from. A bad
  // codexInstall option fails here; an install found that this module cannot drive (a registered
  // runtime, the Store app) fails only where the install is needed.
  let install: CodexInstall | undefined;
  let installError: CodexInstallError | undefined;
  if (codexRunner && resolved) {
    if (resolved.error && o.codexInstall !== undefined) throw new SessionError('preparing', resolved.error.message);
    installError = resolved.error;
    install = resolved.lookup?.install;
  }
  let spec: RunnerSpec;
  if (o.runner === 'codex') spec = await codexRunnerSpec(o, codex, install, installError);
  else spec = o.runner ?? defaultRunnerSpec();
  const kind = spec.kind ?? 'custom';
  if (kind === 'bundled' && o.allowUnenforcedPolicy) spec = { ...spec, args: [...(spec.args ?? []), '--allow-unenforced-policy'] };

  if (o.codexHome && spec.materialize) {
    const copy = { source: spec.materialize, carry: spec.carry, codexHome: o.codexHome, logDir: o.logDir, ...(spec.materializeAs ? { destName: spec.materializeAs } : {}) };
    spec = withMaterializedFile(spec, await (prep ? prep.runnerCopies.materialize(copy) : materializeRunner(copy)));
  }
  let logon: LogonSource | undefined;
  if (sandbox === 'codex') {
    // Upstream picks the offline user when the profile restricts the network.
    logon = await codex.logon(o.codexHome!, networkRestricted);
    if (gate) logon = { ...logon, recover: (code, failedAt) => gate.afterLogonFailure(code, failedAt) };
  } else if (sandbox !== 'current' && sandbox?.credentials && password !== undefined) {
    logon = {
      username: sandbox.username!,
      domain: sandbox.credentials.domain,
      password: async () => secretFromString(typeof password === 'function' ? await password() : password),
      retryOnLogonFailure: typeof password === 'function', // a fixed password read again is the same password
      reusable: typeof password === 'function',
    };
  }
  const file = runnerFile(spec);
  // 'current': no logon, and the pipes admit this process's own user.
  const sandboxUsername = logon?.username ?? (sandbox === 'codex' || sandbox === 'current' ? undefined : sandbox?.username);
  const plan: LaunchPlan = { spec, runnerCwd, sandboxUsername, logon };

  let sandboxPrep: PreparedSandbox | undefined;
  if (codexRunner && prep && o.codexHome) {
    prep.stage('preparing_sandbox');
    try {
      sandboxPrep = await prepareCodexSandbox({
        codexHome: o.codexHome!,
        permissions,
        input: prep.input,
        capSids: o.capSids,
        privateDesktopName: o.privateDesktopName,
        // 'current': the refresh grants ACLs to codex's sandbox users' group; only when asked for.
        refreshSandbox: o.refreshSandbox ?? sandbox !== 'current',
        runnerFile: file,
        ...(o.setupHelper !== undefined ? { setupHelperFile: o.setupHelper } : {}),
        ...(install ? { install } : {}),
        ...(installError ? { installError } : {}),
        launchedRunner: spec.exe,
        sandboxUsername,
        desktops: prep.desktops,
        refreshes: prep.refreshes,
        signal: prep.signal,
        ...(prep.step ? { onStep: prep.step } : {}),
      });
    } catch (err) {
      if (prep.signal.aborted) throw err;
      // The step's error (its `looked`, when it looked for a file) stays reachable as the cause.
      throw Object.assign(new SessionError('preparing_sandbox', (err as Error).message), { cause: err });
    }
  }
  // Everything fixed when a runner is launched; the command and its options travel later.
  const identity = {
    exe: spec.exe,
    args: spec.args ?? [],
    env: spec.env ?? {},
    runnerCwd: runnerCwd ?? null,
    account: plan.sandboxUsername ?? null,
    domain: logon?.domain ?? null,
    protocol: o.protocolVersion ?? 'auto',
    codexHome: o.codexHome ?? null,
  };
  const account = plan.sandboxUsername ? ` as ${plan.sandboxUsername}` : '';
  const version = o.protocolVersion && o.protocolVersion !== 'auto' ? ` v${o.protocolVersion}` : '';
  return {
    plan,
    warmKey: logon && !logon.reusable ? undefined : JSON.stringify(identity),
    warmLabel: `${path.basename(file)}${account}${version}`,
    runner: { file, kind, warm: false },
    policy: policyStatus(kind, permissions, o.allowUnenforcedPolicy === true),
    identityFile: file,
    ...(sandboxPrep ? { sandboxPrep } : {}),
  };
}

/**
 * codex's runner as codex itself launches it (helper_materialization.rs copy_runner_if_needed): the
 * install's codex-command-runner.exe copied into `.sandbox-bin` as `codex-command-runner-<release>.exe`
 * (re-copied when stale) and the copy launched. With codexVersion, or with no install that has a
 * runner, the runner already in `.sandbox-bin` (runner-discovery.ts).
 */
async function codexRunnerSpec(o: SessionConfig, codex: CodexHomeAccess, install: CodexInstall | undefined, installError: CodexInstallError | undefined): Promise<RunnerSpec> {
  if (install?.runner && o.codexVersion === undefined) {
    return { exe: install.runner, kind: 'codex', materialize: install.runner, materializeAs: `codex-command-runner-${install.release ?? (await devBuildSuffix(install.runner))}.exe` };
  }
  try {
    return { exe: await codex.findRunner(o.codexHome!, o.codexVersion), kind: 'codex' };
  } catch (err) {
    // No copy in the codex home, and the install that would have given one is not ours to drive: say that.
    if (err instanceof CodexHomeError && err.problem === 'runner-not-found' && installError) throw new SessionError('preparing', `${err.message} And no install to copy one from: ${installProblemSummary(installError)}`);
    if (err instanceof CodexHomeError && err.problem === 'runner-not-found' && install && !install.runner) {
      throw new SessionError('preparing', `${err.message} codex's install at ${install.root} (${install.foundBy}) has no codex-command-runner.exe either`);
    }
    throw err;
  }
}

/** codex's name suffix for a dev build's runner copy (helper_materialization.rs dev_build_suffix): `<size>-<mtime secs hex>`. */
async function devBuildSuffix(file: string): Promise<string> {
  const stat = await fs.stat(file);
  return `${stat.size}-${Math.floor(stat.mtimeMs / 1000).toString(16)}`;
}

/** A caller's password as a SecretText; the UTF-8 copy made on the way is zeroed. */
function secretFromString(password: string): SecretText {
  const utf8 = Buffer.from(password, 'utf8');
  try {
    return SecretText.fromUtf8(utf8);
  } finally {
    utf8.fill(0);
  }
}

/** The file that is the runner: the script a runtime runs, else the executable. */
export function runnerFile(spec: RunnerSpec): string {
  if (spec.materialize) return spec.materialize;
  const script = spec.args?.find((a) => /\.(c|m)?js$/i.test(a));
  return script ?? spec.exe;
}

/** Who enforces the profile: only codex's runner, on Windows, does. */
export function policyStatus(kind: RunnerStatus['kind'], permissions: ResolvedPermissions, allowUnenforced: boolean): PolicyStatus {
  const profile = permissions.name;
  if (!isRestrictedProfile(permissions.profile)) return { profile, enforced: false, note: 'full access: nothing to enforce' };
  if (kind === 'codex' && process.platform === 'win32') return { profile, enforced: true, note: "enforced by codex's codex-command-runner (restricted token)" };
  if (kind === 'codex') return { profile, enforced: false, note: "not enforced: codex's runner enforces only on Windows" };
  if (process.platform !== 'win32') return { profile, enforced: false, note: "not enforced: this project's runner runs commands as the current user (no sandbox on Linux/macOS)" };
  if (kind === 'custom') return { profile, enforced: false, note: 'not known to be enforced: a custom runner' };
  return allowUnenforced
    ? { profile, enforced: false, note: "not enforced: this project's runner runs it as its own account (allowUnenforcedPolicy)" }
    : { profile, enforced: false, note: "not enforced: this project's runner refuses it (set allowUnenforcedPolicy to run it anyway)" };
}
