// The doctor's checks, as plain data: each step says whether it holds, what was seen, and the fix.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { CodexHomeError } from '../codex-home/codex-home-error';
import { defaultCodexHome } from '../codex-home/codex-home-paths';
import { listCodexRunners, type CodexRunnerCandidate } from '../codex-home/runner-discovery';
import { SETUP_HINT } from '../codex-home/sandbox-setup-files';
import { loadSandboxLogon } from '../codex-home/sandbox-users';
import { sandboxBinDir } from '../launch/materialize-runner';
import { defaultRunnerSpec } from '../launch/runner-spec';
import { interactiveDesktopFacts } from '../platform/win32/interactive-desktop';
import { SessionManager } from '../session/session-manager';
import type { SessionOptions } from '../session/session-options';
import type { SessionStatus } from '../session/session-status';

export interface DoctorStep {
  name: string;
  /** true: holds; false: fails; null: does not apply here. */
  ok: boolean | null;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  platform: string;
  codexHome: string | null;
  steps: DoctorStep[];
  /** At least one real session ran a command to its end. */
  sessionWorked: boolean;
}

export interface DoctorOptions {
  codexHome?: string;
  /** Sessions' connect and spawn-ready bound (default 15 s, upstream's). */
  timeoutMs?: number;
}

export async function doctorChecks(options: DoctorOptions): Promise<DoctorReport> {
  const windows = process.platform === 'win32';
  const steps: DoctorStep[] = [];
  steps.push({ name: 'platform', ok: true, detail: `${process.platform} ${os.release()} ${process.arch}, ${process.versions.electron ? `Electron ${process.versions.electron}` : `Node ${process.version}`}` });

  const codexHome = options.codexHome ?? defaultCodexHome();
  const homeExists = await isDirectory(codexHome);
  steps.push(
    homeExists
      ? { name: 'codex home', ok: true, detail: codexHome }
      : {
          name: 'codex home',
          ok: windows ? false : null,
          detail: `${codexHome} is not a directory`,
          fix: windows ? 'run codex once (it creates its home), or pass --codex-home DIR' : 'not needed on Linux/macOS: this package\'s runner runs without one',
        },
  );

  const sessions: { label: string; options: Partial<SessionOptions> }[] = [{ label: "this package's runner", options: { runner: defaultRunnerSpec() } }];
  const codexSteps = homeExists ? await codexHomeSteps(codexHome) : { steps: [], runners: [] };
  steps.push(...codexSteps.steps);
  if (windows) {
    steps.push(await desktopStep());
    for (const runner of codexSteps.runners) {
      if (runner.kind === 'unrecognized') continue;
      // Each file itself (findCodexRunner would pick only the newest), run as codex's sandbox user.
      sessions.push({ label: `codex runner ${runner.fileName}`, options: { runner: { exe: runner.path, kind: 'codex' }, sandbox: 'codex', codexHome } });
    }
  }

  let sessionWorked = false;
  for (const s of sessions) {
    const step = await sessionStep(s.label, s.options, options.timeoutMs);
    sessionWorked ||= step.ok === true;
    steps.push(step);
  }
  return { platform: process.platform, codexHome: homeExists ? codexHome : null, steps, sessionWorked };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The codex home's runner files and, on Windows, its sandbox users and their passwords. */
async function codexHomeSteps(codexHome: string): Promise<{ steps: DoctorStep[]; runners: CodexRunnerCandidate[] }> {
  const windows = process.platform === 'win32';
  const steps: DoctorStep[] = [];
  let runners: CodexRunnerCandidate[] = [];
  try {
    runners = await listCodexRunners(codexHome);
  } catch (err) {
    runners = [];
    if (!(err instanceof CodexHomeError)) throw err;
  }
  steps.push(
    runners.length > 0
      ? { name: 'runner files', ok: true, detail: runners.map((r) => `${r.fileName} (${r.version ?? r.kind})`).join(', ') }
      : {
          name: 'runner files',
          ok: windows ? false : null,
          detail: `no codex-command-runner*.exe in ${sandboxBinDir(codexHome)}`,
          fix: windows ? 'run codex once with the Windows sandbox enabled: it copies its runner there' : "codex's runner is for Windows; this package's runner serves Linux/macOS",
        },
  );
  if (!windows) {
    steps.push({ name: 'sandbox users', ok: null, detail: 'Windows only: on Linux/macOS the runner runs as the current user' });
    return { steps, runners };
  }
  for (const networkRestricted of [true, false]) {
    const which = networkRestricted ? 'offline' : 'online';
    try {
      const logon = await loadSandboxLogon(codexHome, { networkRestricted });
      logon.password.wipe();
      steps.push({ name: `sandbox user (${which})`, ok: true, detail: `${logon.username}: password in ${logon.usersFile} decrypts (setup version ${logon.setupVersion})` });
    } catch (err) {
      const file = err instanceof CodexHomeError ? err.file ?? err.folder : undefined;
      steps.push({ name: `sandbox user (${which})`, ok: false, detail: (err as Error).message, fix: file ? `see ${file}: ${SETUP_HINT}` : SETUP_HINT });
    }
  }
  return { steps, runners };
}

/** Windows: is there an interactive desktop the sandbox user's runner can start on? */
async function desktopStep(): Promise<DoctorStep> {
  try {
    const facts = interactiveDesktopFacts();
    const detail = `session ${facts.sessionId}, window station ${facts.windowStation}`;
    return facts.problem
      ? { name: 'interactive desktop', ok: false, detail: `${detail}: ${facts.problem}; a runner started as the sandbox user dies at start with 0xC0000142 here`, fix: 'run the app from an interactive desktop session (not a service, not SSH)' }
      : { name: 'interactive desktop', ok: true, detail };
  } catch (err) {
    return { name: 'interactive desktop', ok: false, detail: `could not tell: ${(err as Error).message}` };
  }
}

/** A real session through `runner` running a trivial command, with its stage timings. */
export async function sessionStep(label: string, options: Partial<SessionOptions>, timeoutMs = 15_000): Promise<DoctorStep> {
  const manager = new SessionManager();
  const command = process.platform === 'win32' ? ['cmd.exe', '/d', '/c', 'ver'] : ['true'];
  try {
    const session = manager.start({ command, connectTimeoutMs: timeoutMs, spawnReadyTimeoutMs: timeoutMs, allowUnenforcedPolicy: true, permissions: 'read-only', ...options });
    session.stdout.resume();
    session.stderr.resume();
    const result = await session.exited;
    const status = session.status();
    const timings = stageTimings(status);
    const protocol = status.protocol ? `protocol v${status.protocol.version} (${status.protocol.chosen})` : 'no protocol version found';
    if (result.state === 'exited') {
      return { name: `session via ${label}`, ok: true, detail: `${command.join(' ')} exited ${result.exitCode}; ${protocol}; ${timings}` };
    }
    return { name: `session via ${label}`, ok: false, detail: `failed during ${result.error?.stage}: ${result.error?.message}; ${timings}`, fix: fixFor(status) };
  } catch (err) {
    return { name: `session via ${label}`, ok: false, detail: (err as Error).message };
  } finally {
    await manager.dispose();
  }
}

function stageTimings(status: SessionStatus): string {
  return status.stages
    .map((mark, i) => {
      const next = status.stages[i + 1];
      return next ? `${mark.stage} ${next.at - mark.at} ms` : mark.stage;
    })
    .join(', ');
}

/** The likely fix for where a session stopped. */
export function fixFor(status: SessionStatus): string | undefined {
  const message = status.failure?.message ?? '';
  switch (status.failure?.stage) {
    case 'preparing':
      return 'the runner file or the sandbox user could not be found: see the steps above';
    case 'creating_pipes':
      if (/LookupAccountNameW.*1332/.test(message)) return `that account does not exist on this machine: ${SETUP_HINT}`;
      return process.platform === 'win32'
        ? 'the named pipes could not be made for that account: the error names the call that failed'
        : `the socket folder could not be made: the temp folder (${os.tmpdir()}) must exist and be writable`;
    case 'launching_runner':
      if (/1326|1312/.test(message)) return "the sandbox user's password was refused: run codex's sandbox setup again";
      return 'the runner could not be started: check that the file exists and this account may run it';
    case 'connecting_in':
    case 'connecting_out':
      if (/0xC0000142|3221225794|-1073741502/i.test(message)) return 'the runner could not start on this desktop (session 0 or SSH): run from an interactive desktop session';
      return 'the runner started but never opened its pipes: its exit code and stderr above say why';
    case 'spawn_sent':
      return /refused every protocol version/.test(message) ? "this runner speaks a protocol version this module does not know: update codex-runner-ipc" : 'the runner refused the command: its message above says why';
    default:
      return undefined;
  }
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.steps.map((s) => {
    const mark = s.ok === true ? 'ok  ' : s.ok === false ? 'FAIL' : '--  ';
    return `${mark} ${s.name}: ${s.detail}${s.fix ? `\n       fix: ${s.fix}` : ''}`;
  });
  lines.push(report.sessionWorked ? 'a session ran end to end on this machine' : 'no session ran end to end on this machine');
  return lines.join('\n');
}
