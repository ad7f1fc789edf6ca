// `codex-runner-ipc`: runs one command through a full runner session from a terminal.
import { runnerSpecForPath } from '../launch/runner-spec';
import { SessionManager } from '../session/session-manager';
import { CLI_USAGE, parseCliArgs, UsageError, type RunArgs } from './cli-args';
import { formatStatus } from './format-status';

/** The CLI's own failure (the session failed, not the command): like env(1) and docker. */
export const SESSION_FAILED_EXIT = 125;

export function main(argv: readonly string[]): void {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`codex-runner-ipc: ${err.message}\n\n${CLI_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${CLI_USAGE}\n`);
    return;
  }
  void run(command.args);
}

async function run(args: RunArgs): Promise<void> {
  const manager = new SessionManager();
  const session = manager.start({
    command: args.command,
    cwd: args.cwd,
    timeoutMs: args.timeoutMs ?? null,
    stdinOpen: args.stdin,
    tty: args.tty,
    connectTimeoutMs: args.connectTimeoutMs,
    codexHome: args.codexHome,
    runner: args.runner ? runnerSpecForPath(args.runner) : undefined,
  });
  session.stdout.pipe(process.stdout);
  session.stderr.pipe(process.stderr);
  if (args.stdin) process.stdin.pipe(session.stdin);

  // A tty session takes this terminal's size (and its changes) and gets keys raw, Ctrl-C included.
  const followSize = () => {
    if (process.stdout.isTTY) session.resize(process.stdout.columns, process.stdout.rows);
  };
  const rawTerminal = args.tty && process.stdin.isTTY;
  if (args.tty) {
    followSize();
    process.stdout.on('resize', followSize);
    if (rawTerminal) process.stdin.setRawMode(true);
  }

  // First Ctrl-C asks the runner to end the command; a second one tears the session down.
  let interrupts = 0;
  const onSignal = () => {
    if (interrupts++ === 0) session.terminate();
    else void session.dispose();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await session.exited;
  if (args.tty) {
    process.stdout.off('resize', followSize);
    if (rawTerminal) process.stdin.setRawMode(false);
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (args.stdin) {
    process.stdin.unpipe(session.stdin);
    process.stdin.destroy(); // a terminal's stdin would otherwise keep us alive
  }
  await Promise.all([finished(session.stdout), finished(session.stderr)]);
  if (result.state === 'failed') process.stderr.write(`codex-runner-ipc: session failed during ${result.error!.stage}: ${result.error!.message}\n`);
  if (args.status) process.stderr.write(`${formatStatus(session.status())}\n`);
  process.exitCode = result.state === 'failed' ? SESSION_FAILED_EXIT : result.exitCode & 0xff;
}

function finished(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as unknown as { readableEnded: boolean }).readableEnded) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}
