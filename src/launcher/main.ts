// Entry point of the runner launcher: one small long-lived process per SessionManager, started by
// src/main/launch/launcher-process.ts with a Node IPC channel (node, or Electron's binary in Node
// mode). It lives as long as its owner: when the channel or its stdin closes (the manager was
// disposed, or main exited or was killed), every runner tree is killed and it exits.
import { becomeChildSubreaper, killDescendantsNow } from '../os/posix/process-tree';
import type { LauncherEvent } from '../protocol/launcher-messages';
import { RunnerLauncher } from './runner-launcher';

export function main(): void {
  const channel = process.send?.bind(process);
  if (!channel) {
    process.stderr.write('codex-runner-launcher: must be started by codex-runner-ipc with an IPC channel\n');
    process.exitCode = 2;
    return;
  }
  let note: string | undefined;
  const subreaper = becomeChildSubreaper((why) => (note = why));
  // Whatever ends this process (a crash included), no runner tree survives it (Linux).
  process.once('exit', () => killDescendantsNow(process.pid));

  const launcher = new RunnerLauncher((event, sent) => {
    if (!process.connected) return sent?.();
    channel(event, (err: Error | null) => {
      if (err) process.stderr.write(`launcher: could not send ${event.type}: ${err.message}\n`);
      sent?.();
    });
  });
  process.on('message', (message) => launcher.handle(message));

  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    void launcher.shutdown().then(() => process.exit(0));
  };
  process.on('disconnect', leave);
  // Our stdin is a pipe only main holds: end of file means main is gone, even if the IPC end lingers.
  process.stdin.on('end', leave);
  process.stdin.on('error', leave);
  process.stdin.resume();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, leave);

  const ready: LauncherEvent = { type: 'ready', pid: process.pid, subreaper, ...(note !== undefined ? { note } : {}) };
  channel(ready);
}

if (require.main === module) main();
