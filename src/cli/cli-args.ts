// Parses `codex-runner-ipc` arguments into a plain object; errors are messages for the user.
import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../protocol/versions';

/** The longest delay a Node timer holds (2^31-1 ms, ~24.8 days). */
const MAX_TIMER_MS = 0x7fff_ffff;

export const CLI_USAGE = `usage: codex-runner-ipc run [options] -- <command> [args...]
       codex-runner-ipc doctor [--codex-home DIR] [--codex-install PATH] [--setup-helper PATH] [--json]
       codex-runner-ipc sandbox status [--codex-home DIR] [--codex-install PATH] [--json]
       codex-runner-ipc sandbox setup [--codex-home DIR] [--codex-install PATH] [--setup-helper PATH] [--json]
       codex-runner-ipc --version

run: runs <command> through a runner session (pipes, runner, spawn) and streams its output.
Exits with the command's exit code (1 for a code outside 0-255, such as Windows' 32-bit ones),
125 when the session itself failed or its output could not be written, 141 when this program's
own stdout or stderr was closed (as a shell tool killed by SIGPIPE would), 130/143 on SIGINT/SIGTERM.
doctor: checks every step of a session on this machine and says what fails, why, and the fix.
sandbox status: whether codex's Windows sandbox is set up in the codex home (ready, not_configured,
update_required) and every reason, decided as codex decides to run its setup. Exits 0 when ready,
3 otherwise. --json prints {"state":"...","reasons":[{"code":"...","message":"..."}]}.
sandbox setup: runs codex's own setup helper from its install to create its sandbox users (asks for
elevation unless this process is elevated). Exits 0 when set up, 1 when it failed, 3 when the
elevation prompt was declined.

run options:
  --timeout MS          kill the command after MS milliseconds (it then exits with 192);
                        MS and other numbers: decimal digits, at most 2147483647
  --runner PATH|codex   runner to start (a .js file is run with node); codex: codex's own
                        codex-command-runner-<version>.exe from DIR/.sandbox-bin (needs --codex-home),
                        run as codex's sandbox user; default: this package's runner, which does
                        NOT enforce the permissions (the CLI opts in and --status says so)
  --codex-version V     with --runner codex: prefer codex-command-runner-V.exe
  --protocol N|auto     runner protocol version (1-6); auto (default) finds the runner's own
  --permissions P       read-only, workspace-write (default), full-access, or a JSON file
                        holding a codex PermissionProfile
  --status              print the session's pipe status to stderr at the end
  --connect-timeout MS  how long the runner may take to connect to each pipe (default 15000)
  --codex-home DIR      a codex home: materialize the runner into DIR/.sandbox-bin; with
                        --runner codex, its cap_sid and setup helper too
  --sandbox current     with --runner codex: run codex's runner as this account, no logon (for
                        machines without codex's sandbox users, and Wine)
  --no-sandbox-refresh  with --runner codex: skip codex's setup helper refresh before the command
                        (skipped by default with --sandbox current)
  --sandbox-refresh     with --runner codex --sandbox current: run the refresh all the same
  --setup-helper PATH   with --runner codex, when the refresh runs: codex's
                        codex-windows-sandbox-setup.exe; default: from codex's install, beside
                        the runner, DIR/.sandbox-bin, then PATH (doctor takes it too)
  --codex-install PATH  with --runner codex: codex's install: codex.exe, or the folder holding
                        codex-resources; default: codex on PATH (npm's shims followed), then the
                        standalone installer's and the desktop app's folders (doctor takes it too)
  --cwd DIR             working directory of the command (default: the current one)
  --no-stdin            do not forward this process's stdin (the command reads EOF)
  --tty                 run the command on a terminal (PTY, ConPTY on Windows); its size follows
                        this terminal, which is in raw mode while the command runs
  -h, --help            show this help`;

export interface RunArgs {
  command: string[];
  timeoutMs?: number;
  runner?: string;
  codexVersion?: string;
  protocol?: ProtocolVersion | 'auto';
  /** A built-in name, or the path of a JSON file (read when the session starts). */
  permissions?: string;
  status: boolean;
  connectTimeoutMs?: number;
  codexHome?: string;
  cwd?: string;
  stdin: boolean;
  tty: boolean;
  /** --sandbox current */
  sandbox?: 'current';
  /** false with --no-sandbox-refresh */
  refreshSandbox?: boolean;
  /** --setup-helper PATH */
  setupHelper?: string;
  /** --codex-install PATH */
  codexInstall?: string;
}

export interface DoctorArgs {
  codexHome?: string;
  /** --setup-helper PATH */
  setupHelper?: string;
  codexInstall?: string;
  json: boolean;
}

export interface SandboxStatusArgs {
  codexHome?: string;
  codexInstall?: string;
  json: boolean;
}

export interface SandboxSetupArgs {
  codexHome?: string;
  codexInstall?: string;
  /** --setup-helper PATH */
  setupHelper?: string;
  json: boolean;
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; args: RunArgs }
  | { kind: 'doctor'; args: DoctorArgs }
  | { kind: 'sandbox-status'; args: SandboxStatusArgs }
  | { kind: 'sandbox-setup'; args: SandboxSetupArgs };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Decimal digits only (`Number()` would take 1e3, 0x10, " 5"), and within what a timer holds. */
function positiveInt(flag: string, value: string | undefined): number {
  if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n <= 0) throw new UsageError(`${flag} must be a positive whole number of milliseconds in decimal digits, got ${JSON.stringify(value)}`);
  if (n > MAX_TIMER_MS) throw new UsageError(`${flag} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node holds), got ${value}`);
  return n;
}

/** A switch: `--flag=value` is a mistake, not the switch (`--no-stdin=no` must not mean --no-stdin). */
function noValue(flag: string, inline: string | undefined): true {
  if (inline !== undefined) throw new UsageError(`${flag} takes no value, got ${flag}=${inline}`);
  return true;
}

/** `--flag=value` split at the first `=`; anything else as it is. */
function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function text(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
  return value;
}

function protocol(flag: string, value: string | undefined): ProtocolVersion | 'auto' {
  if (value === 'auto') return 'auto';
  const n = /^[0-9]+$/.test(value ?? '') ? Number(value) : NaN;
  if (!isProtocolVersion(n)) throw new UsageError(`${flag} must be auto or one of ${[...PROTOCOL_VERSIONS].reverse().join(', ')}, got ${JSON.stringify(value ?? '')}`);
  return n;
}

function sandboxMode(flag: string, value: string | undefined): 'current' {
  if (value !== 'current') throw new UsageError(`${flag} takes "current" (codex's sandbox user is the default with --runner codex), got ${JSON.stringify(value ?? '')}`);
  return value;
}

function parseDoctorArgs(argv: readonly string[]): CliCommand {
  const args: DoctorArgs = { json: false };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = splitInline(arg);
    if (flag === '--codex-home') args.codexHome = text(flag, inline ?? argv[++i]);
    else if (flag === '--setup-helper') args.setupHelper = text(flag, inline ?? argv[++i]);
    else if (flag === '--codex-install') args.codexInstall = text(flag, inline ?? argv[++i]);
    else if (flag === '--json') args.json = noValue(flag, inline);
    else if ((flag === '-h' || flag === '--help') && noValue(flag, inline)) return { kind: 'help' };
    else throw new UsageError(`unknown doctor option ${arg}`);
  }
  return { kind: 'doctor', args };
}

/** `sandbox status [...]` and `sandbox setup [...]`. */
function parseSandboxArgs(argv: readonly string[]): CliCommand {
  const sub = argv[1];
  if (sub === '-h' || sub === '--help') return { kind: 'help' };
  if (sub !== 'status' && sub !== 'setup') throw new UsageError(`unknown sandbox command ${JSON.stringify(sub ?? '')} (status, setup)`);
  const args: SandboxSetupArgs = { json: false };
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = splitInline(arg);
    if (flag === '--codex-home') args.codexHome = text(flag, inline ?? argv[++i]);
    else if (flag === '--codex-install') args.codexInstall = text(flag, inline ?? argv[++i]);
    else if (flag === '--setup-helper' && sub === 'setup') args.setupHelper = text(flag, inline ?? argv[++i]);
    else if (flag === '--json') args.json = noValue(flag, inline);
    else if ((flag === '-h' || flag === '--help') && noValue(flag, inline)) return { kind: 'help' };
    else throw new UsageError(`unknown sandbox ${sub} option ${arg}`);
  }
  return sub === 'setup' ? { kind: 'sandbox-setup', args } : { kind: 'sandbox-status', args };
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0) throw new UsageError('no command given');
  if (argv[0] === '--version') return { kind: 'version' };
  if (argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { kind: 'help' };
  if (argv[0] === 'doctor') return parseDoctorArgs(argv);
  if (argv[0] === 'sandbox') return parseSandboxArgs(argv);
  if (argv[0] !== 'run') throw new UsageError(`unknown command ${JSON.stringify(argv[0])}`);
  const args: RunArgs = { command: [], status: false, stdin: true, tty: false };
  const given = new Set<string>();
  let i = 1;
  options: for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    const [flag, inline] = splitInline(arg);
    const value = () => inline ?? argv[++i];
    given.add(flag);
    switch (flag) {
      case '--timeout': args.timeoutMs = positiveInt(flag, value()); break;
      case '--connect-timeout': args.connectTimeoutMs = positiveInt(flag, value()); break;
      case '--runner': args.runner = text(flag, value()); break;
      case '--codex-version': args.codexVersion = text(flag, value()); break;
      case '--protocol': args.protocol = protocol(flag, value()); break;
      case '--permissions': args.permissions = text(flag, value()); break;
      case '--codex-home': args.codexHome = text(flag, value()); break;
      case '--cwd': args.cwd = text(flag, value()); break;
      case '--status': args.status = noValue(flag, inline); break;
      case '--no-stdin': args.stdin = !noValue(flag, inline); break;
      case '--tty': args.tty = noValue(flag, inline); break;
      case '--sandbox': args.sandbox = sandboxMode(flag, value()); break;
      case '--no-sandbox-refresh': args.refreshSandbox = !noValue(flag, inline); break;
      case '--sandbox-refresh': args.refreshSandbox = noValue(flag, inline); break;
      case '--setup-helper': args.setupHelper = text(flag, value()); break;
      case '--codex-install': args.codexInstall = text(flag, value()); break;
      case '-h':
      case '--help': noValue(flag, inline); return { kind: 'help' };
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        // the command starts here (no `--` given)
        break options;
    }
  }
  args.command = argv.slice(i) as string[];
  if (args.command.length === 0) throw new UsageError('no command given (put it after --)');
  if (args.runner === 'codex' && !args.codexHome) throw new UsageError('--runner codex needs --codex-home (where codex keeps its runner)');
  checkCodexRunnerFlags(args, given);
  return { kind: 'run', args };
}

/** Flags for codex's runner that nothing would apply are refused, not silently dropped. */
function checkCodexRunnerFlags(args: RunArgs, given: ReadonlySet<string>): void {
  const codexOnly = ['--sandbox', '--no-sandbox-refresh', '--sandbox-refresh', '--setup-helper', '--codex-version', '--codex-install'].filter((f) => given.has(f));
  if (args.runner !== 'codex' && codexOnly.length > 0) {
    throw new UsageError(`${codexOnly.join(', ')} ${codexOnly.length === 1 ? 'applies' : 'apply'} to codex's runner only: add --runner codex (and --codex-home DIR)`);
  }
  if (given.has('--sandbox-refresh') && given.has('--no-sandbox-refresh')) throw new UsageError('--sandbox-refresh and --no-sandbox-refresh contradict each other: give one');
  if (args.setupHelper !== undefined && args.refreshSandbox === false) throw new UsageError('--setup-helper names the helper of the sandbox refresh, which --no-sandbox-refresh turns off: give one');
  if (args.setupHelper !== undefined && args.sandbox === 'current' && args.refreshSandbox !== true) {
    throw new UsageError('--setup-helper names the helper of the sandbox refresh, which is off with --sandbox current: add --sandbox-refresh to run it');
  }
}
