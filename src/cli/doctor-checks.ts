// The doctor's checks, as plain data: each step says whether it holds, what was seen, and the fix.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { CodexHomeError } from '../main/codex/home/codex-home-error';
import { defaultCodexHome } from '../main/codex/home/codex-home-paths';
import { listCodexRunners, type CodexRunnerCandidate } from '../main/codex/home/runner-discovery';
import { SETUP_HINT } from '../main/codex/home/sandbox-setup-files';
import { loadSandboxLogon } from '../main/codex/home/sandbox-users';
import { sandboxBinDir } from '../main/launch/materialize-runner';
import { interactiveDesktopFacts } from '../os/win32/interactive-desktop';
import { capSidFile, CapSidFileError, readCapSidFile } from '../main/codex/sandbox-prep/cap-sid-file';
import { SETUP_HELPER_FILE } from '../main/codex/sandbox-prep/sandbox-refresh';
import { resolveCodexInstall, type CodexInstall, type CodexInstallResolution } from '../main/codex/install/find-codex-install';
import { elevatedSetupHelper, findSetupHelper } from '../main/codex/install/setup-helper';
import { sandboxReadiness } from '../main/codex/home/readiness';
import * as path from 'node:path';
import { SessionManager, type SessionOptions, type SessionStatus } from '../main/index';

export interface DoctorStep {
  name: string;
  /** true: holds; false: fails; null: does not apply here. */
  ok: boolean | null;
  detail: string;
  fix?: string;
  /** Every place the step looked for a file, in order: listed by the report, only counted elsewhere. */
  looked?: string[];
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
  /** codex's setup helper (absolute), as the setupHelper session option: looked for before anywhere else. */
  setupHelper?: string;
  /** codex's install (codex.exe or the folder holding codex-resources); default: looked for. */
  codexInstall?: string;
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

  const sessions: { label: string; options: Partial<SessionOptions> }[] = [{ label: "this package's runner", options: { runner: { kind: 'bundled', allowUnenforcedPolicy: true } } }];
  const codexInstall = options.codexInstall !== undefined ? path.resolve(options.codexInstall) : undefined;
  const installFound = await installStep(codexInstall);
  steps.push(installFound.step);
  const install = installFound.install;
  if (homeExists) steps.push(await readinessStep(codexHome, installFound.resolution));
  if (windows) steps.push(await elevatedHelperStep(install, options.setupHelper));
  const codexSteps = homeExists ? await codexHomeSteps(codexHome) : { steps: [], runners: [] };
  steps.push(...codexSteps.steps);
  if (windows) {
    steps.push(await desktopStep());
    if (codexSteps.runners.some((r) => r.kind !== 'unrecognized')) steps.push(await capSidStep(codexHome));
    for (const runner of codexSteps.runners) {
      if (runner.kind === 'unrecognized') continue;
      // Each file itself (findCodexRunner would pick only the newest), run as codex's sandbox user
      // with everything codex's parent prepares (cap_sid SIDs, refresh, private desktop). Without
      // the setup helper the session runs without a refresh, and the helper's step says so.
      const helper = await setupHelperStep(runner.path, runner.fileName, codexHome, install, options.setupHelper);
      steps.push(helper.step);
      const setupHelper = options.setupHelper !== undefined ? { setupHelper: options.setupHelper } : {};
      sessions.push({ label: `codex runner ${runner.fileName}`, options: { runner: { kind: 'codex', spec: { exe: runner.path }, codexHome, refreshSandbox: helper.found, ...setupHelper }, sandbox: 'codex' } });
    }
  } else if (options.setupHelper !== undefined) {
    steps.push({ name: 'setup helper', ok: null, detail: `${options.setupHelper}: Windows only, run before sessions through codex's runner` });
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

/** codex's cap_sid, read without writing: a session creates it (and its SIDs) when missing, as codex does. */
export async function capSidStep(codexHome: string): Promise<DoctorStep> {
  const file = capSidFile(codexHome);
  try {
    const { target, parsed } = await readCapSidFile(codexHome);
    const named = target === file ? file : `${file} (a link to ${target})`;
    if (!parsed) return { name: 'capability SIDs', ok: true, detail: `${named} does not exist yet or is empty: the first session creates it, as codex does` };
    const roots = Object.keys(parsed.caps.workspace_by_cwd).length + Object.keys(parsed.caps.writable_root_by_path).length;
    return { name: 'capability SIDs', ok: true, detail: `${named}${parsed.legacy ? ' (legacy text form: rewritten as JSON at the next session)' : ''}: readonly ${parsed.caps.readonly}, ${roots} write root${roots === 1 ? '' : 's'} with their own SID` };
  } catch (err) {
    if (!(err instanceof CapSidFileError)) throw err;
    return { name: 'capability SIDs', ok: false, detail: err.message, fix: capSidFix(err) };
  }
}

function capSidFix(err: CapSidFileError): string {
  switch (err.problem) {
    case 'not-a-file':
      return `${err.file} must be a file: move what is there away (codex keeps no SIDs in it); the next session (or codex) makes a new cap_sid`;
    case 'link':
      return `restore the link's target, or remove the link ${err.file}; the next session (or codex) then makes a new cap_sid`;
    case 'unreadable':
    case 'write':
      return 'this account must be able to read and write its codex home';
    case 'lock':
      return 'remove what the message names, once no codex-runner-ipc process is running';
    case 'corrupt':
      return `move ${err.file} away and codex (or the next session) makes a new one; folders codex granted to the old SIDs then need codex's setup again`;
  }
}

/** codex's setup helper, which a session runs to refresh the sandbox's ACLs before its command. */
async function setupHelperStep(runnerPath: string, runnerName: string, codexHome: string, install: CodexInstall | undefined, explicit: string | undefined): Promise<{ step: DoctorStep; found: boolean }> {
  const helper = await findSetupHelper({ codexHome, runnerFile: runnerPath, ...(install ? { install } : {}), ...(explicit !== undefined ? { explicit } : {}) });
  const name = `setup helper for ${runnerName}`;
  if (helper.found) {
    // The runner copy's release against the install's, when the helper is the install's.
    const runnerRelease = /^codex-command-runner-(\d+\.\d+\.\d+(?:-[\w.]+)?)\.exe$/i.exec(runnerName)?.[1];
    const mismatch = install?.release && helper.found === install.setupHelper && runnerRelease && runnerRelease !== install.release;
    const warning = mismatch ? `; the runner is from codex ${runnerRelease} but the helper from codex ${install!.release}: different releases` : '';
    return { found: true, step: { name, ok: true, detail: `${helper.found}: sessions run its refresh before each new set of roots${warning}`, looked: helper.looked } };
  }
  return {
    found: false,
    step: {
      name,
      ok: false,
      detail: `no ${SETUP_HELPER_FILE} (${countPlaces(helper.looked)}, listed below); the session below runs without a refresh`,
      looked: helper.looked,
      fix: `codex ships ${SETUP_HELPER_FILE} in its install's codex-resources folder: name the install with codexInstall (--codex-install PATH) or the helper with setupHelper (--setup-helper PATH), or run sessions with refreshSandbox: false (--no-sandbox-refresh) in folders codex has prepared`,
    },
  };
}

/** codex's install, with every place looked; looked up once and shared with the readiness step. */
async function installStep(codexInstall: string | undefined): Promise<{ step: DoctorStep; install?: CodexInstall; resolution: CodexInstallResolution }> {
  const windows = process.platform === 'win32';
  const resolution = await resolveCodexInstall(codexInstall !== undefined ? { codexInstall } : {});
  if (resolution.error) {
    const err = resolution.error;
    return { resolution, step: { name: 'codex install', ok: false, detail: err.message, fix: 'name a CLI install of codex with --codex-install PATH', ...(err.looked ? { looked: err.looked } : {}) } };
  }
  const lookup = resolution.lookup;
  const looked = `${countPlaces(lookup.looked)}, listed below`;
  const notes = lookup.notes.length ? `; ${lookup.notes.join('; ')}` : '';
  const i = lookup.install;
  if (!i) {
    return { resolution, step: { name: 'codex install', ok: windows ? false : null, detail: `not found (${looked})${notes}`, fix: windows ? 'install codex (npm install -g @openai/codex) or name it with --codex-install PATH' : "codex's Windows install is needed only on Windows", looked: lookup.looked } };
  }
  const parts = [`${i.kind}${i.release ? ` ${i.release}` : ''} at ${i.root} (${i.foundBy})`, `runner ${i.runner ?? 'missing'}`, `setup helper ${i.setupHelper ?? 'missing'}`];
  const complete = Boolean(i.runner && i.setupHelper);
  return { resolution, install: i, step: { name: 'codex install', ok: complete || !windows ? true : false, detail: `${parts.join('; ')} (${looked})${notes}`, looked: lookup.looked, ...(complete ? {} : { fix: `the install lacks codex-resources' files: reinstall codex (npm install -g @openai/codex)` }) } };
}

/** codex's sandbox readiness in this home, as codex decides to run its setup. */
async function readinessStep(codexHome: string, install: CodexInstallResolution): Promise<DoctorStep> {
  const windows = process.platform === 'win32';
  const r = await sandboxReadiness({ codexHome, install });
  const detail = [r.state, ...r.reasons.map((x) => `${x.code}: ${x.message}`), ...(r.notes ?? []).map((n) => `note: ${n}`)].join('; ');
  const looked = [...new Set(r.reasons.flatMap((x) => x.looked ?? []))];
  const list = looked.length ? { looked } : {};
  if (r.state === 'ready') return { name: 'sandbox readiness', ok: true, detail, ...list };
  return { name: 'sandbox readiness', ok: windows ? false : null, detail, fix: windows ? "set codex's sandbox up (codex-runner-ipc sandbox setup, or a codex command with the elevated Windows sandbox)" : 'Windows only', ...list };
}

/** The helper `sandbox setup` (setupSandbox) would run elevated: the option or the install's own, never PATH or .sandbox-bin. */
async function elevatedHelperStep(install: CodexInstall | undefined, explicit: string | undefined): Promise<DoctorStep> {
  const choice = await elevatedSetupHelper({ explicit, install });
  const name = 'setup helper for sandbox setup (elevated)';
  if (choice.found) return { name, ok: true, detail: `${choice.found}: what sandbox setup runs elevated`, looked: choice.looked };
  return { name, ok: false, detail: choice.why ?? 'not found', fix: "install codex (npm install -g @openai/codex), name it with --codex-install PATH, or name codex's helper with --setup-helper PATH", looked: choice.looked };
}

function countPlaces(looked: readonly string[]): string {
  return `${looked.length} place${looked.length === 1 ? '' : 's'} looked`;
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
    const session = manager.start({ command, timeouts: { connectMs: timeoutMs, spawnReadyMs: timeoutMs }, runner: { kind: 'bundled', allowUnenforcedPolicy: true }, permissions: 'read-only', ...options });
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
  if (/codex's Windows sandbox in .* is (not configured|update required)/.test(message)) return "codex's sandbox users are not set up: codex-runner-ipc sandbox setup --codex-home DIR (it asks for elevation), or the session option autoSetupSandbox";
  switch (status.failure?.stage) {
    case 'preparing':
      if (/enforces only restricted profiles/.test(message)) return "codex's runner runs only restricted profiles: use read-only or workspace-write";
      return 'the runner file or the sandbox user could not be found: see the steps above';
    case 'preparing_sandbox':
      return preparingSandboxFix(message);
    case 'creating_pipes':
      if (/LookupAccountNameW.*1332/.test(message)) return `that account does not exist on this machine: ${SETUP_HINT}`;
      return process.platform === 'win32'
        ? 'the named pipes could not be made for that account: the error names the call that failed'
        : `the socket folder could not be made: the temp folder (${os.tmpdir()}) must exist and be writable`;
    case 'launching_runner':
      if (/1326|1312|1331/.test(message)) return "logon: the sandbox user's password or logon was refused: run codex's sandbox setup again: codex-runner-ipc sandbox setup --codex-home DIR";
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

/** Which of codex's preparation steps failed (the message leads with it), and what fixes it. */
function preparingSandboxFix(message: string): string {
  if (message.startsWith('capability SIDs:')) {
    return /empty list/.test(message) ? 'capability SIDs: give at least one SID in capSids, or omit it to use the codex home\'s cap_sid' : 'capability SIDs: see the "capability SIDs" step above for the file and its fix';
  }
  if (message.startsWith('sandbox refresh:')) {
    if (/was not found/.test(message)) return `sandbox refresh: put codex's ${SETUP_HELPER_FILE} beside the runner, or set refreshSandbox: false (--no-sandbox-refresh)`;
    return `sandbox refresh: codex's setup helper failed with the code and message above; ${SETUP_HINT}`;
  }
  if (message.startsWith('private desktop:')) {
    if (/1332/.test(message)) return `private desktop: that account does not exist on this machine: ${SETUP_HINT}`;
    return 'private desktop: the desktop could not be created: run from an interactive desktop session (not a service, not SSH)';
  }
  return 'the sandbox could not be prepared: the message above names the step';
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.steps.map((s) => {
    const mark = s.ok === true ? 'ok  ' : s.ok === false ? 'FAIL' : '--  ';
    const looked = s.looked?.length ? `\n       looked:${s.looked.map((p) => `\n         ${p}`).join('')}` : '';
    return `${mark} ${s.name}: ${s.detail}${s.fix ? `\n       fix: ${s.fix}` : ''}${looked}`;
  });
  lines.push(report.sessionWorked ? 'a session ran end to end on this machine' : 'no session ran end to end on this machine');
  return lines.join('\n');
}
