// Runs codex's own setup helper, `codex-windows-sandbox-setup.exe <base64 payload>`, in refresh
// mode (never elevated), as upstream's parent does before a sandboxed command: it grants the
// sandbox users and the capability SIDs their ACLs on the roots. A child process, so the main
// thread never waits on it; bounded by a timeout and killed on abort. A failure is reported with
// the helper's own code and message from `<codexHome>/.sandbox/setup_error.json` (read with a
// size bound). A refresh that succeeded for the same payload is not run again in this process.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const SETUP_HELPER_FILE = 'codex-windows-sandbox-setup.exe';
export const DEFAULT_REFRESH_TIMEOUT_MS = 120_000;
const MAX_SETUP_ERROR_BYTES = 64 * 1024;

export class SandboxRefreshError extends Error {
  constructor(
    message: string,
    /** The helper's code from setup_error.json, when it wrote one. */
    readonly helperCode?: string,
  ) {
    super(message);
    this.name = 'SandboxRefreshError';
  }
}

/**
 * Where codex keeps its helper: beside the runner (codex's `codex-resources` folder holds both),
 * else in the codex home's `.sandbox-bin`. Undefined when neither has it.
 */
export async function findSetupHelper(runnerFile: string, codexHome: string): Promise<{ found?: string; looked: string[] }> {
  const looked = [...new Set([path.join(path.dirname(runnerFile), SETUP_HELPER_FILE), path.join(codexHome, '.sandbox-bin', SETUP_HELPER_FILE)])];
  for (const candidate of looked) {
    if (await fs.stat(candidate).then((s) => s.isFile(), () => false)) return { found: candidate, looked };
  }
  return { looked };
}

/** Payloads refreshed successfully in this process, and refreshes under way (one flight per payload). */
const done = new Set<string>();
const inFlight = new Map<string, Promise<void>>();

export interface RefreshRun {
  helper: string;
  codexHome: string;
  payloadBase64: string;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** 'skipped': the same payload was refreshed earlier in this process. */
export async function runSandboxRefresh(run: RefreshRun): Promise<'ran' | 'skipped'> {
  if (done.has(run.payloadBase64)) return 'skipped';
  let flight = inFlight.get(run.payloadBase64);
  if (!flight) {
    flight = runHelper(run).finally(() => inFlight.delete(run.payloadBase64));
    inFlight.set(run.payloadBase64, flight);
  }
  await flight;
  done.add(run.payloadBase64);
  return 'ran';
}

/** Forgets which refreshes ran (tests). */
export function forgetSandboxRefreshes(): void {
  done.clear();
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
    const child = spawn(run.helper, [run.payloadBase64], { stdio: 'ignore', windowsHide: true });
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
  throw new SandboxRefreshError(`codex's sandbox setup helper ${how} ${report.kind === 'none' ? `and wrote no ${reportFile}` : `; ${reportFile} ${report.why}`}; its log is in ${path.dirname(reportFile)}`);
}

type SetupErrorReport = { kind: 'report'; code: string; message: string } | { kind: 'none' } | { kind: 'bad'; why: string };

/** `{"code","message"}` as the helper writes it; bounded, and anything else said as such. */
export async function readSetupError(file: string): Promise<SetupErrorReport> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'none' } : { kind: 'bad', why: `could not be read: ${(err as Error).message}` };
  }
  try {
    const buf = Buffer.alloc(MAX_SETUP_ERROR_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_SETUP_ERROR_BYTES) return { kind: 'bad', why: `is over ${MAX_SETUP_ERROR_BYTES} bytes` };
    const value = JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof value?.code !== 'string' || typeof value.message !== 'string') return { kind: 'bad', why: 'has no string "code" and "message"' };
    return { kind: 'report', code: value.code, message: value.message };
  } catch (err) {
    return { kind: 'bad', why: `is not JSON (${(err as Error).message})` };
  } finally {
    await handle.close();
  }
}
