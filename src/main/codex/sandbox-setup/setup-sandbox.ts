// codex's elevated sandbox setup, as upstream's setup.rs `run_elevated_setup` runs it: codex's own
// helper (codex-windows-sandbox-setup.exe) with the provisioning payload; directly when this
// process is elevated, else through ShellExecuteExW "runas" (the UAC prompt). setup_error.json is
// cleared before, read (bounded) after a non-zero exit; success is confirmed by reading readiness
// again. One setup per codex home at a time: in this process (callers share one run, as upstream's
// single flight) and across processes (a lock file in the home). Nothing here runs unless an app
// calls it or opted in (the session option autoSetupSandbox).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sandboxReadiness, type SandboxReadiness } from '../home/readiness';
import { isAbsoluteAnywhere } from '../../session/session-options';
import { readSetupError, setupErrorFile } from '../sandbox-prep/sandbox-refresh';
import { encodeProvisionPayload, provisionPayload } from './provision-payload';
import type { CodexInstallResolution } from '../install/find-codex-install';
import { elevatedSetupHelper } from '../install/setup-helper';
import { acquireSetupLock, setupLockFile } from './setup-lock';
import { boundedWait } from '../../../util/bounded-wait';
import { endOrAwait, startDirect, windowsSetupPlatform, type Run, type SetupPlatform } from './setup-platform';

export { windowsSetupPlatform, type SetupPlatform } from './setup-platform';

export type SetupStage =
  /** Another process (or session) is setting up this codex home: waiting for it (then this run's later stages, if it shares it). */
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
  /**
   * How long this caller waits, all in (another setup's lock, the UAC prompt, the helper); then a
   * `failed` result (orchestrator_setup_wait_timeout or orchestrator_helper_timeout). The run is
   * stopped once no caller waits on it. Default 10 minutes.
   */
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

export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;
const ERROR_CANCELLED = 1223;

/** What the helper run depends on: callers of one run must agree on these. */
const RUN_OPTIONS = ['codexInstall', 'setupHelper', 'proxyPorts', 'allowLocalBinding'] as const;

/** How a run that every caller left was stopped (set as it stops, before timedOut reads it: that reads readiness first). */
type Stop = 'before_launch' | 'prompt_pending' | 'ended' | 'cannot_end';

interface Flight {
  result: Promise<SandboxSetupResult>;
  /** Aborted once every caller waiting on this run has gone (never for one caller of several). */
  controller: AbortController;
  waiters: number;
  runKey: string;
  options: SandboxSetupOptions;
  listeners: Set<(stage: SetupStage) => void>;
  stage?: SetupStage;
  stop?: Stop;
}
const flights = new Map<string, Flight>();

export async function setupSandbox(options: SandboxSetupOptions): Promise<SandboxSetupResult> {
  if (process.platform !== 'win32') throw new Error(`codex's sandbox setup exists only on Windows (this is ${process.platform})`);
  return runSandboxSetup(options, await windowsSetupPlatform());
}

/**
 * setupSandbox with the platform given: the Windows one, or a boundary a test stands in for.
 * Each caller's wait is bounded by its own signal and timeoutMs; the run (lock wait, UAC prompt,
 * helper) is stopped once every caller has gone. A helper that cannot be ended (elevated, seen
 * from a process that is not) or a UAC prompt that cannot be withdrawn keeps the lock in a
 * detached task until it is over: the caller settles at once.
 */
export async function runSandboxSetup(options: SandboxSetupOptions, platform: SetupPlatform): Promise<SandboxSetupResult> {
  checkOptions(options);
  if (options.signal?.aborted) throw options.signal.reason;
  const key = path.resolve(options.codexHome).toLowerCase();
  const runKey = runOptionsKey(options);
  let flight = flights.get(key);
  if (flight) {
    if (flight.runKey !== runKey) {
      const differ = RUN_OPTIONS.filter((name) => JSON.stringify(normalized(flight!.options, name)) !== JSON.stringify(normalized(options, name)));
      throw new Error(
        `setupSandbox: a sandbox setup of ${options.codexHome} is already running in this process with other options (${differ.join(', ')}); wait for it to finish, or pass the same options`,
      );
    }
    options.onProgress?.('waiting_for_other_setup');
  } else {
    const controller = new AbortController();
    const created: Flight = { controller, waiters: 0, runKey, options, listeners: new Set(), result: Promise.resolve(undefined as never) };
    const hooks: RunHooks = {
      progress: (stage) => {
        created.stage = stage;
        for (const listener of created.listeners) listener(stage);
      },
      stopped: (how) => (created.stop ??= how),
    };
    created.result = provision({ ...options, signal: controller.signal }, platform, hooks).finally(() => {
      if (flights.get(key) === created) flights.delete(key);
    });
    created.result.catch(() => {}); // a run every caller left may still fail; nobody is there to see it
    flights.set(key, created);
    flight = created;
  }
  const shared = flight;
  const listener = (stage: SetupStage) => options.onProgress?.(stage);
  shared.listeners.add(listener);
  shared.waiters++;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
  const timeout = new Error(`timed out after ${timeoutMs} ms`);
  let left: 'timeout' | 'aborted' | undefined;
  try {
    return await boundedWait(shared.result, { signal: options.signal, timeoutMs, onTimeout: () => timeout });
  } catch (err) {
    // This caller left (its timeout, its signal), or the run itself failed.
    left = err === timeout ? 'timeout' : options.signal?.aborted && err === options.signal.reason ? 'aborted' : undefined;
    if (left !== 'timeout') throw err;
  } finally {
    shared.listeners.delete(listener);
    shared.waiters--;
    if (left && shared.waiters === 0) {
      if (flights.get(key) === shared) flights.delete(key);
      // Never awaited: the run ends the helper (or, unable to, keeps the lock until it exits) by itself.
      shared.controller.abort(new Error('every caller waiting on this sandbox setup has gone'));
    }
  }
  return timedOut(options, shared, timeoutMs);
}

/** This caller's timeoutMs passed: a failed result saying where the run was, and what became of it. */
async function timedOut(o: SandboxSetupOptions, flight: Flight, timeoutMs: number): Promise<SandboxSetupResult> {
  const readiness = await readinessFor(o);
  if (flight.stage === 'waiting_for_other_setup') {
    return { outcome: 'failed', code: 'orchestrator_setup_wait_timeout', message: `waited ${timeoutMs} ms for another sandbox setup of ${o.codexHome} to finish (it holds ${setupLockFile(o.codexHome)}); gave up`, readiness };
  }
  const what =
    flight.waiters > 0
      ? 'it goes on for the other callers waiting on it'
      : flight.stop === 'ended'
        ? 'ended it'
        : flight.stop === 'prompt_pending'
          ? 'the elevation prompt cannot be withdrawn: if it is accepted, the setup lock is held until the helper exits'
          : flight.stop === 'cannot_end'
            ? 'it could not be ended (it runs elevated); the setup lock is held until it exits'
            : flight.stage === undefined
              ? 'it had not started: stopped it'
              : 'stopped it';
  return { outcome: 'failed', code: 'orchestrator_helper_timeout', message: `codex's sandbox setup did not finish within ${timeoutMs} ms; ${what}`, readiness };
}

function normalized(o: SandboxSetupOptions, name: (typeof RUN_OPTIONS)[number]): unknown {
  if (name === 'proxyPorts') return o.proxyPorts?.length ? [...new Set(o.proxyPorts)].sort((a, b) => a - b) : undefined;
  if (name === 'allowLocalBinding') return o.allowLocalBinding === true;
  return o[name];
}

function runOptionsKey(o: SandboxSetupOptions): string {
  return JSON.stringify(RUN_OPTIONS.map((name) => normalized(o, name)));
}

function checkOptions(o: SandboxSetupOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('setupSandbox options must be an object');
  if (typeof o.codexHome !== 'string' || !isAbsoluteAnywhere(o.codexHome)) throw new TypeError(`setupSandbox: codexHome must be an absolute path, got ${JSON.stringify(o.codexHome)}`);
  for (const name of ['setupHelper', 'codexInstall'] as const) {
    if (o[name] !== undefined && (typeof o[name] !== 'string' || !isAbsoluteAnywhere(o[name]!))) throw new TypeError(`setupSandbox: ${name} must be an absolute path, got ${JSON.stringify(o[name])}`);
  }
  if (o.timeoutMs !== undefined && !(Number.isInteger(o.timeoutMs) && o.timeoutMs > 0 && o.timeoutMs <= 0x7fff_ffff)) throw new TypeError(`setupSandbox: timeoutMs must be a positive integer, got ${o.timeoutMs}`);
}

interface RunHooks {
  progress(stage: SetupStage): void;
  stopped(how: Stop): void;
}

function readinessFor(o: SandboxSetupOptions): Promise<SandboxReadiness> {
  return sandboxReadiness({
    codexHome: o.codexHome,
    ...(o.codexInstall !== undefined ? { codexInstall: o.codexInstall } : {}),
    ...(o.install ? { install: o.install } : {}),
    ...(o.setupHelper !== undefined ? { setupHelper: o.setupHelper } : {}),
    ...(o.proxyPorts ? { proxyPorts: o.proxyPorts } : {}),
    ...(o.allowLocalBinding !== undefined ? { allowLocalBinding: o.allowLocalBinding } : {}),
  });
}

/** The run itself; `o.signal` is the flight's: aborted once every caller has gone. */
async function provision(o: SandboxSetupOptions, platform: SetupPlatform, hooks: RunHooks): Promise<SandboxSetupResult> {
  const readiness = () => readinessFor(o);
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
  const lock = await acquireSetupLock(setupLockFile(o.codexHome), {
    ...(o.signal ? { signal: o.signal } : {}),
    onWait: () => hooks.progress('waiting_for_other_setup'),
  });
  /** Set when the helper (or the UAC prompt) outlives this run: the lock is released once it settles. */
  const hold: { until?: Promise<unknown> } = {};
  try {
    // Always read again under the lock: a setup (another process's, or one that ended just
    // before) may have finished since `before`; then no helper run, and no second UAC prompt.
    const now = await readiness();
    if (now.state === 'ready') return { outcome: 'succeeded', readiness: now };
    return await provisionLocked(o, platform, helper.found, hooks, hold, readiness, failed);
  } finally {
    if (hold.until) void hold.until.then(() => lock.release(), () => lock.release()).catch(() => {});
    else await lock.release();
  }
}


async function provisionLocked(
  o: SandboxSetupOptions,
  platform: SetupPlatform,
  helper: string,
  hooks: RunHooks,
  hold: { until?: Promise<unknown> },
  readiness: () => Promise<SandboxReadiness>,
  failed: (code: string, message: string) => Promise<SandboxSetupResult>,
): Promise<SandboxSetupResult> {
  const { progress } = hooks;
  let elevated: boolean;
  try {
    elevated = platform.isElevated();
  } catch (err) {
    return failed('orchestrator_elevation_check_failed', `failed to determine elevation state: ${(err as Error).message}`);
  }
  let payload: string;
  try {
    payload = encodeProvisionPayload(provisionPayload({ codexHome: o.codexHome, realUser: await platform.realUser(), proxyPorts: o.proxyPorts, allowLocalBinding: o.allowLocalBinding }));
  } catch (err) {
    return failed('orchestrator_payload_serialize_failed', `failed to build the setup payload: this process's user (its real_user) could not be named: ${(err as Error).message}`);
  }
  const reportFile = setupErrorFile(o.codexHome);
  // As upstream: a report left by an earlier run must not be taken for this one's.
  const cleared = await fs.rm(reportFile, { force: true }).then(() => true, () => false);
  if (o.signal?.aborted) {
    hooks.stopped('before_launch');
    throw o.signal.reason;
  }

  let launching: Promise<Run>;
  if (elevated) {
    progress('starting_helper');
    launching = startDirect(helper, payload);
  } else {
    progress('requesting_elevation');
    launching = platform.startElevated(helper, payload);
  }
  let run: Run;
  try {
    run = await boundedWait(launching, { signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted && err === o.signal.reason) {
      // The UAC prompt (ShellExecuteExW on a worker thread) cannot be withdrawn: an abort does not wait for it.
      hooks.stopped(elevated ? 'before_launch' : 'prompt_pending');
      hold.until = launching.then(endOrAwait, () => {});
      throw err;
    }
    if (o.signal?.aborted) throw o.signal.reason;
    const code = (err as { code?: unknown }).code;
    if (code === ERROR_CANCELLED) return { outcome: 'canceled', code: 'orchestrator_helper_launch_canceled', message: `ShellExecuteExW failed to launch setup helper: ${code} (the elevation prompt was declined)`, readiness: await readiness() };
    // codex's wording: "(non-elevated)" is the direct launch, taken when this process is elevated already.
    return failed('orchestrator_helper_launch_failed', `failed to launch setup helper (${elevated ? 'non-elevated' : 'elevated'}): ${(err as Error).message}`);
  }
  progress('running_helper');
  let exit: number;
  try {
    exit = await boundedWait(run.exited, { signal: o.signal });
  } catch (err) {
    if (!(o.signal?.aborted && err === o.signal.reason)) throw err;
    const ended = run.terminate();
    // An elevated helper cannot be ended from a process that is not: it finishes by itself.
    hooks.stopped(ended ? 'ended' : 'cannot_end');
    if (ended) await run.exited; // killed: ends at once
    else hold.until = run.exited;
    throw err;
  }
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
