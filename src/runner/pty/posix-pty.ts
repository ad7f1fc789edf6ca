// Linux/macOS: the child on the slave side of a fresh pseudo terminal, as its controlling
// terminal, leading its own session (so ^C, job control and SIGWINCH work as in a real terminal).
// The master is read through Node's own tty handle (non-blocking, libuv), never a blocking read.
//
// Node cannot make a terminal the controlling one between fork and exec, so a tiny helper does
// setsid() + TIOCSCTTY and then execs the command in place (same pid): util-linux `setsid --ctty`
// on Linux, the system perl on macOS (no setsid(1) there). The child is spawned NOT detached: a
// process-group leader would make setsid(1) fork, and the pid we report would not be the command.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import * as tty from 'node:tty';
import { Writable } from 'node:stream';
import { findExecutable } from './find-executable';
import { libcPty, winsize } from './libc-pty';
import { DEFAULT_TTY_SIZE, PtyProcess, type TtySize } from './pty-process';
import { killDescendants } from '../../os/posix/process-tree';

/** What ^D means to a terminal in canonical mode: end of input (the PTY way to close stdin). */
const EOF_CHAR = '\x04';
/** <sys/ttycom.h> TIOCSCTTY on macOS. */
const DARWIN_TIOCSCTTY = 0x20007461;

export interface PosixPtyOptions {
  cwd: string;
  env: Record<string, string>;
  size?: TtySize;
  /** Defaults to this platform's helper; tests also run the macOS one on Linux. */
  helper?: (argv: readonly string[]) => HelperCommand;
}

export interface HelperCommand {
  file: string;
  args: string[];
}

/**
 * macOS's helper: the system perl calls setsid() and ioctl(0, TIOCSCTTY) (request number
 * passed in: <sys/ttycom.h> on macOS; tests run the same script on Linux with Linux's number).
 */
export function perlSetsidHelper(argv: readonly string[], tiocsctty: number, perl = '/usr/bin/perl'): HelperCommand {
  const script =
    'use POSIX (); POSIX::setsid() or die "setsid: $!\\n"; ' +
    `ioctl(STDIN, ${tiocsctty}, 0) or die "TIOCSCTTY: $!\\n"; ` +
    'exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\\n";';
  return { file: perl, args: ['-e', script, '--', ...argv] };
}

/** The helper's argv: it becomes the session leader, takes stdin as its terminal, then execs `argv`. */
export function controllingTerminalHelper(platform: NodeJS.Platform, argv: readonly string[]): HelperCommand {
  if (platform === 'darwin') return perlSetsidHelper(argv, DARWIN_TIOCSCTTY);
  let setsid: string;
  try {
    setsid = findExecutable('setsid', { PATH: process.env.PATH ?? '/usr/bin:/bin' }, '/');
  } catch (err) {
    throw new Error(`tty sessions need setsid(1) from util-linux: ${(err as Error).message}`);
  }
  return { file: setsid, args: ['--ctty', '--', ...argv] };
}

export class PosixPty extends PtyProcess {
  private master = -1;
  private masterStream?: tty.ReadStream;
  /**
   * Our copy of the terminal's slave end, held until the child has exited: if the child's own
   * close of its last terminal fd let the master read EIO, we would close the master while the
   * child was still exiting, and the kernel's hangup would kill it with SIGHUP instead of its exit
   * code (seen under load: ~30% of `cat` sessions ending on ^D).
   */
  private slave = -1;

  constructor(file: string, args: readonly string[], options: PosixPtyOptions) {
    super();
    // Checked here (a missing command fails the spawn), but the helper execs `file` as given, by
    // the same PATH lookup: the program's argv[0] is what the caller wrote ("bash", not
    // "/usr/bin/bash"), as execvp gives it under node-pty or a shell.
    findExecutable(file, options.env, options.cwd);
    const libc = libcPty();
    const helper = (options.helper ?? ((argv) => controllingTerminalHelper(process.platform, argv)))([file, ...args]);
    let child: ChildProcess;
    try {
      // libuv opens with O_CLOEXEC, so no other child inherits either end.
      this.master = openSync('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY);
      if (libc.grantpt(this.master) !== 0) throw new Error(`grantpt failed: errno ${libc.errno()}`);
      if (libc.unlockpt(this.master) !== 0) throw new Error(`unlockpt failed: errno ${libc.errno()}`);
      const slaveName = libc.ptsname(this.master);
      if (!slaveName) throw new Error(`ptsname failed: errno ${libc.errno()}`);
      this.applySize(options.size ?? DEFAULT_TTY_SIZE);
      this.slave = openSync(slaveName, constants.O_RDWR | constants.O_NOCTTY);
      child = spawn(helper.file, helper.args, { cwd: options.cwd, env: options.env, stdio: [this.slave, this.slave, this.slave], detached: false });
    } catch (err) {
      this.closeSlave();
      this.closeMaster();
      throw err;
    }
    child.once('error', (err) => {
      if (child.pid !== undefined) return;
      this.closeSlave();
      this.closeMaster();
      this.emit('error', err);
    });
    child.once('spawn', () => this.started(child));
  }

  protected applySize(size: TtySize): void {
    if (this.master < 0) throw new Error('the terminal is closed');
    const libc = libcPty();
    if (libc.setWindowSize(this.master, winsize(size.cols, size.rows)) !== 0) throw new Error(`ioctl(TIOCSWINSZ) failed: errno ${libc.errno()}`);
  }

  private started(child: ChildProcess): void {
    const master = new tty.ReadStream(this.master);
    this.masterStream = master;
    master.on('error', (err: NodeJS.ErrnoException) => {
      // EIO is how a master reads "every slave fd is closed": the terminal's end of file.
      if (err.code !== 'EIO') process.stderr.write(`runner: terminal read failed: ${err.message}\n`);
    });
    master.once('close', () => {
      this.master = -1; // the tty handle closed the fd
    });
    const input = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (master.destroyed) return callback();
        master.write(chunk, () => callback()); // a write after the child is gone is dropped, as on a hung-up terminal
      },
      final: (callback) => {
        if (master.destroyed) return callback();
        master.write(EOF_CHAR, () => callback());
      },
    });
    this.attach(child.pid!, input, master);
    child.once('exit', (code, signal) => {
      this.noteReaped();
      // The whole session goes (jobs in other process groups too) before the exit is reported.
      // Then our slave copy goes, so the master reads to its end (EIO) and the output closes.
      void killTerminalSession(child.pid!).then(() => {
        this.closeSlave();
        this.reportExit(code, signal);
      });
    });
    this.emit('spawn');
  }

  private closeSlave(): void {
    if (this.slave >= 0) closeSync(this.slave);
    this.slave = -1;
  }

  private closeMaster(): void {
    if (this.masterStream) this.masterStream.destroy();
    else if (this.master >= 0) closeSync(this.master);
    this.master = -1;
  }
}

/**
 * Every process of the terminal session `sid` below this process, found by the same
 * freeze-then-kill walk the runner ends its trees with (in the runner, a child subreaper on
 * Linux, orphaned jobs are still below us). The session leader's process group is signalled
 * first: on macOS (no subreaper) that is all that reaches jobs whose parent already exited.
 */
async function killTerminalSession(sid: number): Promise<void> {
  try {
    process.kill(-sid, 'SIGKILL');
  } catch {}
  await killDescendants(process.pid, { inSession: sid });
}
