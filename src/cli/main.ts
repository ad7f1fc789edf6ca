// `codex-runner-ipc`: runs one command through a full runner session from a terminal, or checks
// this machine's set-up (`doctor`).
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runnerSpecForPath } from '../main/launch/runner-spec';
import { BoundedReadError, readBoundedFile } from '../util/read-bounded-file';
import { BUILTIN_PERMISSIONS, resolvePermissions, type BuiltinPermissions, type PermissionProfile } from '../protocol/permissions';
import { SessionManager, type RunnerChoice } from '../main/index';
import { CLI_USAGE, parseCliArgs, UsageError, type RunArgs } from './cli-args';
import { runDoctor } from './doctor';
import { runSandboxSetupCommand } from './sandbox-setup-command';
import { runSandboxStatus } from './sandbox-status';
import { cliExitStatus } from './exit-status';
import { formatStatus } from './format-status';

/** The CLI's own failure (the session failed, not the command): like env(1) and docker. */
export const SESSION_FAILED_EXIT = 125;
/** Our stdout was closed before the command finished: what a shell reports for a SIGPIPE death. */
export const BROKEN_PIPE_EXIT = 128 + 13;

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
  if (command.kind === 'version') {
    process.stdout.write(`codex-runner-ipc ${packageVersion()}\n`);
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${CLI_USAGE}\n`);
    return;
  }
  if (command.kind === 'doctor') {
    void runDoctor(command.args).then((code) => (process.exitCode = code));
    return;
  }
  if (command.kind === 'sandbox-setup') {
    void runSandboxSetupCommand(command.args).then((code) => (process.exitCode = code));
    return;
  }
  if (command.kind === 'sandbox-status') {
    void runSandboxStatus(command.args).then(
      (code) => (process.exitCode = code),
      (err: Error) => {
        process.stderr.write(`codex-runner-ipc: ${err.message}\n`);
        process.exitCode = 2;
      },
    );
    return;
  }
  void run(command.args).catch((err: Error) => {
    process.stderr.write(`codex-runner-ipc: ${err.message}\n`);
    process.exitCode = 2;
  });
}

/** This package's version, from its package.json (dist/src/cli/ is three levels below it). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A profile is a few hundred bytes; the cap stops /dev/zero-like files from filling memory. */
const MAX_PROFILE_FILE_BYTES = 1 << 20;

/** A built-in name, or a JSON file holding a PermissionProfile (checked field by field). */
async function permissionsFrom(value: string | undefined): Promise<PermissionProfile | BuiltinPermissions | undefined> {
  if (value === undefined || BUILTIN_PERMISSIONS.includes(value as BuiltinPermissions)) return value as BuiltinPermissions | undefined;
  let text: string;
  try {
    text = (await readBoundedFile(value, MAX_PROFILE_FILE_BYTES)).toString('utf8');
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    throw new UsageError(`--permissions ${value}: not a built-in (${BUILTIN_PERMISSIONS.join(', ')}) and not a profile file: it ${err.detail}`);
  }
  try {
    const profile = JSON.parse(text) as PermissionProfile;
    resolvePermissions(profile);
    return profile;
  } catch (err) {
    throw new UsageError(`--permissions ${value}: ${(err as Error).message.replace(/^session option "permissions"/, 'the profile')}`);
  }
}

async function run(args: RunArgs): Promise<void> {
  const permissions = await permissionsFrom(args.permissions);
  const manager = new SessionManager();
  // This project's runner cannot enforce a profile; a terminal user running it asked for it.
  // `--status` says whether the profile was enforced. (codex's runner enforces.)
  const runner: RunnerChoice =
    args.runner === 'codex'
      ? {
          kind: 'codex',
          codexHome: args.codexHome!, // cli-args refuses --runner codex without --codex-home
          codexVersion: args.codexVersion,
          refreshSandbox: args.refreshSandbox,
          ...(args.setupHelper !== undefined ? { setupHelper: path.resolve(args.setupHelper) } : {}),
          ...(args.codexInstall !== undefined ? { codexInstall: path.resolve(args.codexInstall) } : {}),
        }
      : args.runner
        ? { kind: 'custom', spec: runnerSpecForPath(args.runner), codexHome: args.codexHome, allowUnenforcedPolicy: true }
        : { kind: 'bundled', codexHome: args.codexHome, allowUnenforcedPolicy: true };
  const session = manager.start({
    command: args.command,
    cwd: args.cwd,
    timeoutMs: args.timeoutMs ?? null,
    stdinOpen: args.stdin,
    tty: args.tty,
    timeouts: { connectMs: args.connectTimeoutMs },
    advanced: { protocolVersion: args.protocol },
    runner,
    permissions,
    sandbox: args.sandbox,
  });
  // Why the CLI ended the command itself, when it did: that decides its status and the line it says.
  let endedBy: { status: number; line?: string } | undefined;
  const endCommand = (why: { status: number; line?: string }) => {
    endedBy ??= why;
    session.terminate();
  };
  // A reader that goes away (`... | head -1`) is no error: end the command, clean up, exit 141.
  // Any other write error (ENOSPC on /dev/full, EIO) ends the command too, and exits 125.
  const onOutputError = (name: 'stdout' | 'stderr', source: NodeJS.ReadableStream, target: NodeJS.WritableStream) => (err: NodeJS.ErrnoException) => {
    source.unpipe(target);
    source.resume(); // what is already buffered is dropped, so the stream can end
    if (err.code === 'EPIPE') endCommand({ status: BROKEN_PIPE_EXIT });
    else endCommand({ status: SESSION_FAILED_EXIT, line: `cannot write the command's output to ${name} (${err.message}): ended the command and its processes` });
  };
  process.stdout.on('error', onOutputError('stdout', session.stdout, process.stdout));
  process.stderr.on('error', onOutputError('stderr', session.stderr, process.stderr));
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

  // The first signal asks the runner to end the command's tree; a second one tears the session
  // down. The status is a shell's for a death by that signal (130, 143).
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupts++ === 0) endCommand({ status: 128 + os.constants.signals[signal], line: `got ${signal}: ended the command and its processes` });
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
  const say = (line: string) => process.stderr.write(`codex-runner-ipc: ${line}\n`);
  let status: number;
  if (endedBy) {
    status = endedBy.status;
    if (endedBy.line) say(endedBy.line);
  } else if (result.state === 'failed') {
    status = SESSION_FAILED_EXIT;
    say(`session failed during ${result.error!.stage}: ${result.error!.message}`);
  } else {
    const mapped = cliExitStatus(result.exitCode);
    status = mapped.status;
    if (result.timedOut) say(`the command timed out after ${args.timeoutMs} ms: ended it and its processes`);
    else if (mapped.note) say(mapped.note);
  }
  if (args.status) process.stderr.write(`${formatStatus(session.status())}\n`);
  process.exitCode = status;
}

function finished(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as unknown as { readableEnded: boolean }).readableEnded) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}
