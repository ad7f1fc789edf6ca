// Parses `codex-runner-ipc` arguments into a plain object; errors are messages for the user.

export const CLI_USAGE = `usage: codex-runner-ipc run [options] -- <command> [args...]

Runs <command> through a runner session (pipes, runner, spawn) and streams its output.
Exits with the command's exit code, or 125 when the session itself failed.

options:
  --timeout MS          kill the command after MS milliseconds (it then exits with 192)
  --runner PATH         runner to start (a .js file is run with node); default: the bundled runner
  --status              print the session's pipe status to stderr at the end
  --connect-timeout MS  how long the runner may take to connect to each pipe (default 15000)
  --codex-home DIR      materialize the runner into DIR/.sandbox-bin and run it from DIR/.sandbox/runner-cwd
  --cwd DIR             working directory of the command (default: the current one)
  --no-stdin            do not forward this process's stdin (the command reads EOF)
  --tty                 run the command on a terminal (PTY, ConPTY on Windows); its size follows
                        this terminal, which is in raw mode while the command runs
  -h, --help            show this help`;

export interface RunArgs {
  command: string[];
  timeoutMs?: number;
  runner?: string;
  status: boolean;
  connectTimeoutMs?: number;
  codexHome?: string;
  cwd?: string;
  stdin: boolean;
  tty: boolean;
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; args: RunArgs };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(flag: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`);
  return n;
}

function text(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
  return value;
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { kind: 'help' };
  if (argv[0] !== 'run') throw new UsageError(`unknown command ${JSON.stringify(argv[0])}`);
  const args: RunArgs = { command: [], status: false, stdin: true, tty: false };
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--timeout': args.timeoutMs = positiveInt(flag, value()); break;
      case '--connect-timeout': args.connectTimeoutMs = positiveInt(flag, value()); break;
      case '--runner': args.runner = text(flag, value()); break;
      case '--codex-home': args.codexHome = text(flag, value()); break;
      case '--cwd': args.cwd = text(flag, value()); break;
      case '--status': args.status = true; break;
      case '--no-stdin': args.stdin = false; break;
      case '--tty': args.tty = true; break;
      case '-h':
      case '--help': return { kind: 'help' };
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        // the command starts here (no `--` given)
        args.command = argv.slice(i) as string[];
        return { kind: 'run', args };
    }
  }
  args.command = argv.slice(i) as string[];
  if (args.command.length === 0) throw new UsageError('no command given (put it after --)');
  return { kind: 'run', args };
}
