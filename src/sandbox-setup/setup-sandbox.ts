// codex's elevated sandbox setup, as upstream's setup.rs `run_elevated_setup` runs it: codex's own
// helper (codex-windows-sandbox-setup.exe) with the provisioning payload; directly when this
// process is elevated, else through ShellExecuteExW "runas" (the UAC prompt). setup_error.json is
// cleared before, read (bounded) after a non-zero exit; success is confirmed by reading readiness
// again. One setup per codex home at a time: in this process (callers share one run, as upstream's
// single flight) and across processes (a lock file in the home). Nothing here runs unless an app
// calls it or opted in (the session option autoSetupSandbox).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sandboxReadiness, type SandboxReadiness } from '../codex-home/readiness';
import { isAbsoluteAnywhere } from '../session/session-options';
import { readSetupError, setupErrorFile } from '../sandbox-prep/sandbox-refresh';
import { encodeProvisionPayload, provisionPayload } from './provision-payload';
import type { CodexInstallResolution } from '../codex-install/find-codex-install';
import { elevatedSetupHelper } from '../codex-install/setup-helper';
import { acquireSetupLock, setupLockFile, type LockOwner } from './setup-lock';

export type SetupStage =
  /** Another process (or session) is setting up this codex home: waiting for it. */
  | 'waiting_for_other_setup'
  /** This process is elevated: the helper runs directly, hidden. */
  | 'starting_helper'
  /** Not elevated: ShellExecuteExW "runas"; the UAC prompt is up until the user answers. */
  | 'requesting_elevation'
  | 'running_helper'
  /** The helper exited 0: reading readiness again to confirm. */
  | 'checking_readiness';

export interface SandboxSetupOptions {
  codexHome: string;
  codexInstall?: string;
  /** codex's install as a session already resolved it (resolveCodexInstall): not looked up again. */
  install?: CodexInstallResolution;
  /** codex's codex-windows-sandbox-setup.exe (absolute); looked for before anywhere else. */
  setupHelper?: string;
  signal?: AbortSignal;
  onProgress?: (stage: SetupStage) => void;
  /** The offline user's firewall settings sent to the helper (default: none, as codex with no proxy). */
  proxyPorts?: number[];
  allowLocalBinding?: boolean;
  /** How long the helper may run before it is killed. Default 10 minutes. */
  timeoutMs?: number;
}

export interface SandboxSetupResult {
  outcome: 'succeeded' | 'canceled' | 'failed';
  /** upstream's SetupErrorCode, snake_case: the helper's own from setup_error.json, or the orchestrator's. */
  code?: string;
  message?: string;
  /** orchestrator_helper_launch_failed without a helper: every place looked (the message counts them). */
  looked?: string[];
  readiness: SandboxReadiness;
}

/** What only Windows can do: the token's user, the elevation check, the UAC launch. */
export interface SetupPlatform {
  realUser(): Promise<string>;
  isElevated(): boolean;
  /** Throws an error with a numeric `code` (the launch's Win32 error; 1223: the user said no). */
  startElevated(file: string, parameters: string): Promise<{ exited: Promise<number>; terminate(): boolean }>;
}

export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;
const ERROR_CANCELLED = 1223;

interface Flight {
  result: Promise<SandboxSetupResult>;
  /** Aborted once every caller waiting on this run has gone (never for one caller of several). */
  controller: AbortController;
  waiters: number;
}
const flights = new Map<string, Flight>();

export async function setupSandbox(options: SandboxSetupOptions): Promise<SandboxSetupResult> {
  if (process.platform !== 'win32') throw new Error(`codex's sandbox setup exists only on Windows (this is ${process.platform})`);
  return runSandboxSetup(options, await windowsSetupPlatform());
}

/** setupSandbox with the platform given: the Windows one, or a boundary a test stands in for. */
export async function runSandboxSetup(options: SandboxSetupOptions, platform: SetupPlatform): Promise<SandboxSetupResult> {
  checkOptions(options);
  if (options.signal?.aborted) throw options.signal.reason;
  const key = path.resolve(options.codexHome).toLowerCase();
  let flight = flights.get(key);
  if (flight) {
    options.onProgress?.('waiting_for_other_setup');
  } else {
    const controller = new AbortController();
    const created: Flight = { controller, waiters: 0, result: Promise.resolve(undefined as never) };
    created.result = provision({ ...options, signal: controller.signal }, platform).finally(() => {
      if (flights.get(key) === created) flights.delete(key);
    });
    created.result.catch(() => {}); // a run every caller left may still fail; nobody is there to see it
    flights.set(key, created);
    flight = created;
  }
  const shared = flight;
  shared.waiters++;
  try {
    return await untilAborted(shared.result, options.signal);
  } finally {
    shared.waiters--;
    if (shared.waiters === 0 && options.signal?.aborted) {
      if (flights.get(key) === shared) flights.delete(key);
      shared.controller.abort(new Error('every caller waiting on this sandbox setup has gone'));
      // The helper is ended (or, elevated, has finished) and the lock released before the last caller hears of its abort.
      await shared.result.catch(() => {});
    }
  }
}

function checkOptions(o: SandboxSetupOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('setupSandbox options must be an object');
  if (typeof o.codexHome !== 'string' || !isAbsoluteAnywhere(o.codexHome)) throw new TypeError(`setupSandbox: codexHome must be an absolute path, got ${JSON.stringify(o.codexHome)}`);
  for (const name of ['setupHelper', 'codexInstall'] as const) {
    if (o[name] !== undefined && (typeof o[name] !== 'string' || !isAbsoluteAnywhere(o[name]!))) throw new TypeError(`setupSandbox: ${name} must be an absolute path, got ${JSON.stringify(o[name])}`);
  }
  if (o.timeoutMs !== undefined && !(Number.isInteger(o.timeoutMs) && o.timeoutMs > 0 && o.timeoutMs <= 0x7fff_ffff)) throw new TypeError(`setupSandbox: timeoutMs must be a positive integer, got ${o.timeoutMs}`);
}

async function provision(o: SandboxSetupOptions, platform: SetupPlatform): Promise<SandboxSetupResult> {
  const progress = (stage: SetupStage) => o.onProgress?.(stage);
  const readiness = () =>
    sandboxReadiness({
      codexHome: o.codexHome,
      ...(o.codexInstall !== undefined ? { codexInstall: o.codexInstall } : {}),
      ...(o.install ? { install: o.install } : {}),
      ...(o.setupHelper !== undefined ? { setupHelper: o.setupHelper } : {}),
      ...(o.proxyPorts ? { proxyPorts: o.proxyPorts } : {}),
      ...(o.allowLocalBinding !== undefined ? { allowLocalBinding: o.allowLocalBinding } : {}),
    });
  const failed = async (code: string, message: string): Promise<SandboxSetupResult> => ({ outcome: 'failed', code, message, readiness: await readiness() });

  const before = await readiness();
  // Only the setupHelper option or the install's own: what runs here runs elevated (never PATH or .sandbox-bin).
  const helper = await elevatedSetupHelper({ explicit: o.setupHelper, install: before.install });
  if (!helper.found) return { outcome: 'failed', code: 'orchestrator_helper_launch_failed', message: `failed to launch setup helper: ${helper.why}`, looked: helper.looked, readiness: before };
  // Upstream: the sandbox dir exists before the helper is sent it.
  try {
    await fs.mkdir(path.join(o.codexHome, '.sandbox'), { recursive: true });
  } catch (err) {
    return failed('orchestrator_sandbox_dir_create_failed', `failed to create sandbox dir ${path.join(o.codexHome, '.sandbox')}: ${(err as Error).message}`);
  }
  let waited = false;
  const lock = await acquireSetupLock(setupLockFile(o.codexHome), {
    signal: o.signal,
    onWait: () => {
      waited = true;
      progress('waiting_for_other_setup');
    },
  });
  try {
    if (waited) {
      // Another process set this home up meanwhile: no second helper run (nor a second UAC prompt).
      const now = await readiness();
      if (now.state === 'ready') return { outcome: 'succeeded', readiness: now };
    }
    return await provisionLocked(o, platform, helper.found, progress, readiness, failed);
  } finally {
    await lock.release();
  }
}

async function provisionLocked(
  o: SandboxSetupOptions,
  platform: SetupPlatform,
  helper: string,
  progress: (stage: SetupStage) => void,
  readiness: () => Promise<SandboxReadiness>,
  failed: (code: string, message: string) => Promise<SandboxSetupResult>,
): Promise<SandboxSetupResult> {
  let elevated: boolean;
  try {
    elevated = platform.isElevated();
  } catch (err) {
    return failed('orchestrator_elevation_check_failed', `failed to determine elevation state: ${(err as Error).message}`);
  }
  const payload = encodeProvisionPayload(provisionPayload({ codexHome: o.codexHome, realUser: await platform.realUser(), proxyPorts: o.proxyPorts, allowLocalBinding: o.allowLocalBinding }));
  const reportFile = setupErrorFile(o.codexHome);
  // As upstream: a report left by an earlier run must not be taken for this one's.
  const cleared = await fs.rm(reportFile, { force: true }).then(() => true, () => false);
  if (o.signal?.aborted) throw o.signal.reason;

  let run: { exited: Promise<number>; terminate(): boolean };
  try {
    if (elevated) {
      progress('starting_helper');
      run = await startDirect(helper, payload);
    } else {
      progress('requesting_elevation');
      run = await platform.startElevated(helper, payload);
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === ERROR_CANCELLED) return { outcome: 'canceled', code: 'orchestrator_helper_launch_canceled', message: `ShellExecuteExW failed to launch setup helper: ${code} (the elevation prompt was declined)`, readiness: await readiness() };
    // codex's wording: "(non-elevated)" is the direct launch, taken when this process is elevated already.
    return failed('orchestrator_helper_launch_failed', `failed to launch setup helper (${elevated ? 'non-elevated' : 'elevated'}): ${(err as Error).message}`);
  }
  progress('running_helper');
  const exit = await boundedExit(run, o.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS, o.signal);
  if (exit === 'aborted') throw o.signal!.reason;
  if (exit === 'timeout') return failed('orchestrator_helper_timeout', `codex's setup helper ${helper} did not finish within ${o.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS} ms; ended it`);
  if (exit !== 0) {
    const detail = `setup helper exited with status ${exit}`;
    if (!cleared) return failed('orchestrator_helper_exit_nonzero', detail);
    const report = await readSetupError(reportFile);
    if (report.kind === 'report') return failed(report.code, report.message);
    if (report.kind === 'none') return failed('orchestrator_helper_exit_nonzero', detail);
    return failed('orchestrator_helper_report_read_failed', `${detail}; ${reportFile} ${report.why}`);
  }
  progress('checking_readiness');
  const after = await readiness();
  if (after.state !== 'ready') {
    const why = after.reasons.map((r) => r.code).join(', ');
    return { outcome: 'failed', code: 'orchestrator_helper_incomplete', message: `setup helper exited successfully before setup completed (readiness: ${after.state}: ${why})`, readiness: after };
  }
  await fs.rm(reportFile, { force: true }).catch(() => {});
  return { outcome: 'succeeded', readiness: after };
}

/** The helper as a hidden child (Node's windowsHide is CREATE_NO_WINDOW), no stdio, as upstream; resolves once it started. */
function startDirect(helper: string, payload: string): Promise<{ exited: Promise<number>; terminate(): boolean }> {
  const child = spawn(helper, [payload], { stdio: 'ignore', windowsHide: true });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  return new Promise((resolve, reject) => {
    child.once('error', reject); // ENOENT, EACCES: a launch failure
    child.once('spawn', () => resolve({ exited, terminate: () => child.kill('SIGKILL') }));
  });
}

/** The exit code, or why there is none; after an abort or a timeout the helper is ended and awaited. */
async function boundedExit(run: { exited: Promise<number>; terminate(): boolean }, timeoutMs: number, signal?: AbortSignal): Promise<number | 'timeout' | 'aborted'> {
  let why: 'timeout' | 'aborted' | undefined;
  const stop = (reason: 'timeout' | 'aborted') => {
    why ??= reason;
    // An elevated helper cannot be ended from a process that is not: it then finishes by itself.
    run.terminate();
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    const code = await run.exited;
    return why ?? code;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The real one: the token user, CheckTokenMembership, ShellExecuteExW "runas". */
export async function windowsSetupPlatform(): Promise<SetupPlatform> {
  const [{ currentSetupUser }, { isProcessElevated }, { shellExecute, quoteArg }] = await Promise.all([
    import('../platform/win32/current-user'),
    import('../platform/win32/elevation'),
    import('../platform/win32/elevated-launch'),
  ]);
  return {
    realUser: currentSetupUser,
    isElevated: isProcessElevated,
    startElevated: (file, parameters) => shellExecute({ verb: 'runas', file, parameters: quoteArg(parameters) }),
  };
}

export type { LockOwner };
