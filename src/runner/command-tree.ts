// The runner's hold on its command's process tree, whatever the command does with it.
// Linux: the runner is a child subreaper, so orphans of the command's tree (a `setsid cmd &`
// whose shell exited, a double-forked daemon) are reparented to the runner instead of init and
// every end below still finds them; they are reaped as they exit; and whichever way the runner
// itself exits, nothing it started survives it. macOS: the tree as far as parent links and the
// command's process group reach (process-tree.ts says what escapes there).
import { signalTree } from './kill-tree';
import { becomeChildSubreaper, killDescendants, killDescendantsNow, onChildStateChange, reapAdopted } from '../os/posix/process-tree';

/** Pids the runner spawned itself: Node reaps those; everything else below us is ours to reap. */
const spawnedPids = new Set<number>();

/** Once, at the runner's start. */
export function holdCommandTree(): void {
  if (process.platform !== 'linux') return;
  becomeChildSubreaper((why) => process.stderr.write(`runner: orphans of the command will escape: ${why}\n`));
  onChildStateChange(() => reapAdopted(spawnedPids));
  process.once('exit', () => killDescendantsNow(process.pid));
}

/** The command the runner spawned (at its 'spawn' event, before any SIGCHLD pass can run). */
export function noteSpawned(pid: number): void {
  spawnedPids.add(pid);
}

/** Every process below the runner goes: the command's whole tree and whatever it orphaned. */
export function killCommandTree(childPid: number): Promise<unknown> {
  signalTree(childPid, 'SIGKILL'); // macOS: the command's own group, orphans in it included
  return killDescendants(process.pid);
}
