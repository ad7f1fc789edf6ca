// Runs codex's own setup helper, `codex-windows-sandbox-setup.exe <base64 payload>`, in refresh
// mode (never elevated), as upstream's parent does before a sandboxed command: it grants the
// sandbox users and the capability SIDs their ACLs on the roots. A child process, so the main
// thread never waits on it; bounded by a timeout and killed on abort. A failure is reported with
// the helper's own code and message from `<codexHome>/.sandbox/setup_error.json` (read with a
// size bound). A refresh that succeeded for the same payload is not run again for the same owner
// (a SessionManager: SandboxRefreshes).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { boundedWait } from '../../../util/bounded-wait';
import { BoundedReadError, readBoundedFile } from '../../../util/read-bounded-file';

export { SETUP_HELPER_EXE as SETUP_HELPER_FILE } from '../install/bundled-executable';
export const DEFAULT_REFRESH_TIMEOUT_MS = 120_000;
const MAX_SETUP_ERROR_BYTES = 64 * 1024;

export class SandboxRefreshError extends Error {
  constructor(
    message: string,
    /** The helper's code from setup_error.json, when it wrote one. */
    readonly helperCode?: string,
    /** No helper found: every place looked (the message counts them). */
    readonly looked?: string[],
  ) {
    super(message);
    this.name = 'SandboxRefreshError';
  }
}

export interface RefreshRun {
  helper: string;
  codexHome: string;
  /** What is refreshed: one flight, and one success, per payload. */
  payloadBase64: string;
  /** How the helper gets it (helper-launch.ts); default: the payload as the one argument, this environment. */
  launch?: { args: string[]; env: NodeJS.ProcessEnv };
  signal: AbortSignal;
  timeoutMs?: number;
}

interface Flight {
  promise: Promise<void>;
  /** Aborts the helper: only once every session waiting on it has gone. */
  controller: AbortController;
  waiters: number;
}

/**
 * The refreshes of one owner (a SessionManager): the payloads refreshed successfully, which are
 * not run again, and the runs under way (one flight per payload).
 */
export class SandboxRefreshes {
  private readonly done = new Set<string>();
  private readonly inFlight = new Map<string, Flight>();

  /**
   * 'skipped': the same payload was refreshed earlier for this owner. Sessions with the same
   * payload share one run of the helper, which is killed only when all of them have aborted; each
   * waiter that aborts gets its own signal's reason, never another session's.
   */
  async run(run: RefreshRun): Promise<'ran' | 'skipped'> {
    if (this.done.has(run.payloadBase64)) return 'skipped';
    if (run.signal.aborted) throw run.signal.reason;
    let flight = this.inFlight.get(run.payloadBase64);
    if (!flight) {
      const controller = new AbortController();
      const created: Flight = { controller, waiters: 0, promise: Promise.resolve() };
      created.promise = runHelper({ ...run, signal: controller.signal }).finally(() => {
        if (this.inFlight.get(run.payloadBase64) === created) this.inFlight.delete(run.payloadBase64);
      });
      // A run every waiter left may still fail; nobody is there to see it.
      created.promise.catch(() => {});
      this.inFlight.set(run.payloadBase64, created);
      flight = created;
    }
    const shared = flight;
    shared.waiters++;
    try {
      await boundedWait(shared.promise, { signal: run.signal });
    } catch (err) {
      if (run.signal.aborted) throw run.signal.reason;
      throw err;
    } finally {
      shared.waiters--;
      if (shared.waiters === 0 && run.signal.aborted) {
        // The last waiter gone: no one wants this run any more. Forget it so a later session starts afresh.
        if (this.inFlight.get(run.payloadBase64) === shared) this.inFlight.delete(run.payloadBase64);
        shared.controller.abort(new Error('every session waiting on this sandbox refresh has gone'));
        // The helper is gone before the last waiter hears of its abort.
        await shared.promise.catch(() => {});
      }
    }
    this.done.add(run.payloadBase64);
    return 'ran';
  }
}

export function setupErrorFile(codexHome: string): string {
  return path.join(codexHome, '.sandbox', 'setup_error.json');
}

async function runHelper(run: RefreshRun): Promise<void> {
  const reportFile = setupErrorFile(run.codexHome);
  // As upstream: an old report must not be taken for this run's.
  await fs.rm(reportFile, { force: true });
  if (run.signal.aborted) throw run.signal.reason;
  const timeoutMs = run.timeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>((resolve, reject) => {
    const child = spawn(run.helper, run.launch?.args ?? [run.payloadBase64], { stdio: 'ignore', windowsHide: true, env: run.launch?.env ?? process.env });
    let timedOut = false;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    run.signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      cleanup();
      reject(new SandboxRefreshError(`codex's sandbox setup helper ${run.helper} could not be started: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve({ code, signal, timedOut });
    });
  });
  if (run.signal.aborted) throw run.signal.reason;
  if (exit.timedOut) throw new SandboxRefreshError(`codex's sandbox setup helper ${run.helper} did not finish its refresh within ${timeoutMs} ms; killed it`);
  if (exit.code === 0) {
    await fs.rm(reportFile, { force: true });
    return;
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const report = await readSetupError(reportFile);
  if (report.kind === 'report') {
    throw new SandboxRefreshError(`codex's sandbox setup helper ${how}: ${report.code}: ${report.message} (from ${reportFile})`, report.code);
  }
  throw new SandboxRefreshError(`codex's sandbox setup helper ${how}${report.kind === 'none' ? ` and wrote no ${reportFile}` : `; ${reportFile} ${report.why}`}; its log is in ${path.dirname(reportFile)}`);
}

type SetupErrorReport = { kind: 'report'; code: string; message: string } | { kind: 'none' } | { kind: 'bad'; why: string };

/** `{"code","message"}` as the helper writes it; bounded, and anything else said as such. */
export async function readSetupError(file: string): Promise<SetupErrorReport> {
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(file, MAX_SETUP_ERROR_BYTES);
  } catch (err) {
    if (err instanceof BoundedReadError && err.problem === 'missing') return { kind: 'none' };
    if (err instanceof BoundedReadError && err.problem === 'too-large') return { kind: 'bad', why: `is over ${MAX_SETUP_ERROR_BYTES} bytes` };
    return { kind: 'bad', why: err instanceof BoundedReadError ? err.detail : `could not be read: ${(err as Error).message}` };
  }
  try {
    const value = JSON.parse(bytes.toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof value?.code !== 'string' || typeof value.message !== 'string') return { kind: 'bad', why: 'has no string "code" and "message"' };
    return { kind: 'report', code: value.code, message: value.message };
  } catch (err) {
    return { kind: 'bad', why: `is not JSON (${(err as Error).message})` };
  }
}
