// The process tree primitives, on real processes (Linux /proc; the macOS reader is procps `ps`
// here, which takes the same arguments). This file's process becomes a child subreaper, as the
// runner and the launcher do, so it runs alone in its own test process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  adoptedChildren,
  becomeChildSubreaper,
  descendantsOf,
  killDescendants,
  killDescendantsNow,
  linuxProcessTable,
  psProcessTable,
  reapAdopted,
  walkDescendants,
} from '../../src/os/posix/process-tree';
import { eventually, isAlive, parentPid, processState } from '../helpers/process-state';
import { printedPids } from '../helpers/printed-pids';

const linux = process.platform === 'linux';
const skip = !linux && 'reads /proc';



/**
 * Children Node spawned for this file and has not yet reported exited: libuv reaps those, so
 * every reapAdopted here leaves them alone (reaping one would lose its exit, and its handle would
 * keep this process alive forever).
 */
const ownChildren = new Set<number>();

function spawnOwn(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  ownChildren.add(child.pid!);
  child.once('exit', () => ownChildren.delete(child.pid!));
  return child;
}

/** A shell that prints the pids named in `script`'s echo lines, one per line; resolves with `count` of them. */
async function shellWithPids(script: string, count: number): Promise<{ shell: ChildProcess; pids: number[] }> {
  const shell = spawnOwn('sh', ['-c', script]);
  return { shell, pids: await printedPids(shell, count) };
}

test('becoming a child subreaper: an orphan below us is reparented to us, not to init', { skip }, async () => {
  assert.equal(becomeChildSubreaper(), true);
  // The shell exits at once; its setsid'd background child outlives it.
  const { shell, pids } = await shellWithPids('setsid sleep 300 & echo $!', 1);
  const orphan = pids[0]!;
  await new Promise((resolve) => shell.once('exit', resolve));
  assert.ok(await eventually(() => parentPid(orphan) === process.pid), `orphan ${orphan} has parent ${parentPid(orphan)}`);
  assert.deepEqual(adoptedChildren(ownChildren).live.includes(orphan), true);
  await killDescendants(orphan, { includeRoot: true });
  assert.ok(await eventually(() => !isAlive(orphan)));
  reapAdopted(ownChildren);
});

test('descendantsOf follows parent links through setsid and background jobs; both table readers agree', { skip }, async () => {
  const { shell, pids } = await shellWithPids('setsid sleep 300 & echo $!; sleep 300 & echo $!; sh -c "sleep 300 & echo \\$!; wait" & wait', 3);
  try {
    const viaProc = await descendantsOf(shell.pid!);
    for (const pid of pids) assert.ok(viaProc.includes(pid), `${pid} in ${viaProc}`);
    const viaPs = await descendantsOf(shell.pid!, () => psProcessTable());
    assert.deepEqual([...viaPs].sort(), [...viaProc].sort());
    // Parents come before their children.
    const table = linuxProcessTable();
    const order = walkDescendants(table, shell.pid!);
    for (const pid of order) {
      const parent = table.find((e) => e.pid === pid)!.ppid;
      assert.ok(parent === shell.pid || order.indexOf(parent) < order.indexOf(pid));
    }
  } finally {
    await killDescendants(shell.pid!, { includeRoot: true });
  }
  assert.ok(await eventually(() => pids.every((p) => !isAlive(p))));
});

test('killDescendants freezes a tree that keeps forking and kills all of it, orphans included', { skip }, async () => {
  // Each round starts a double-forked sleeper (orphaned to us at once) and a plain one.
  const { shell, pids } = await shellWithPids('echo $$; while :; do (setsid sleep 300 &); sleep 300 & sleep 0.005; done', 1);
  assert.deepEqual(pids, [shell.pid]);
  await new Promise((r) => setTimeout(r, 300));
  const before = (await descendantsOf(process.pid)).filter((p) => p !== shell.pid);
  assert.ok(before.length > 10, `the shell forked ${before.length} processes`);
  const killed = await killDescendants(process.pid);
  assert.ok(killed.includes(shell.pid!));
  assert.ok(await eventually(() => !isAlive(shell.pid) && before.every((p) => !isAlive(p))), 'everything below us died');
  // The killed orphans were ours to reap: nothing of theirs stays a zombie.
  assert.ok(await eventually(() => (reapAdopted(ownChildren), adoptedChildren(ownChildren).zombies.length === 0)));
});

test('a stopped root with includeRoot: the root and its whole tree die', { skip }, async () => {
  const { shell, pids } = await shellWithPids('setsid sleep 300 & echo $!; sleep 300 & echo $!; wait', 2);
  process.kill(shell.pid!, 'SIGSTOP');
  assert.ok(await eventually(() => processState(shell.pid!) === 'T'));
  const exited = new Promise((resolve) => shell.once('exit', (code, signal) => resolve(signal)));
  await killDescendants(shell.pid!, { includeRoot: true });
  assert.equal(await exited, 'SIGKILL');
  assert.ok(await eventually(() => pids.every((p) => !isAlive(p))));
});

test('inSession kills the members of one session and what is below them, nothing else', { skip }, async () => {
  // A session leader with a job in its session and a setsid'd job below it; beside it, outside
  // the session and not below it, a plain background job of the outer shell.
  const { shell, pids } = await shellWithPids(
    'sleep 300 & echo $!; setsid sh -c \'sleep 300 & echo $$; echo $!; setsid sleep 300 & echo $!; wait\' & wait',
    4,
  );
  const [bystander, leader, member, belowMember] = pids as [number, number, number, number];
  try {
    await killDescendants(process.pid, { inSession: leader });
    assert.ok(await eventually(() => !isAlive(leader) && !isAlive(member) && !isAlive(belowMember)));
    assert.ok(isAlive(bystander), 'a process outside the session, not below it, is left alone');
    assert.ok(isAlive(shell.pid), 'so is the outer shell');
  } finally {
    await killDescendants(shell.pid!, { includeRoot: true });
  }
  assert.ok(await eventually(() => !isAlive(bystander)));
});

test('reapAdopted reaps only adopted zombies, never a pid it is told to leave (libuv waits for those)', { skip }, async () => {
  const { shell, pids } = await shellWithPids('(sleep 0.1; exit 3) & echo $!', 1);
  const orphan = pids[0]!;
  await new Promise((resolve) => shell.once('exit', resolve));
  assert.ok(await eventually(() => parentPid(orphan) === process.pid && processState(orphan) === 'Z'), 'the orphan became our zombie');
  assert.equal(reapAdopted(new Set([...ownChildren, orphan])).includes(orphan), false);
  assert.equal(processState(orphan), 'Z');
  assert.deepEqual(reapAdopted(ownChildren), [orphan]);
  assert.equal(processState(orphan), undefined);
  // A child Node spawned still gets its exit code while reaping runs: its pid is excluded.
  const own = spawnOwn('sh', ['-c', 'sleep 0.2; exit 7']);
  const code = new Promise((resolve) => own.once('exit', resolve));
  const timer = setInterval(() => reapAdopted(ownChildren), 5);
  assert.equal(await code, 7);
  clearInterval(timer);
});

test('killDescendantsNow (for exit handlers) does the same synchronously', { skip }, async () => {
  const { shell, pids } = await shellWithPids('setsid sleep 300 & echo $!; sleep 300 & echo $!; wait', 2);
  const killed = killDescendantsNow(shell.pid!, { includeRoot: true });
  assert.ok(killed.includes(shell.pid!) && pids.every((p) => killed.includes(p)), `${killed}`);
  assert.ok(await eventually(() => [shell.pid!, ...pids].every((p) => !isAlive(p))));
});

test('a tree gone already, or a pid that does not exist, is no error', { skip }, async () => {
  assert.deepEqual(await killDescendants(0x3fffff), []);
  assert.deepEqual(await descendantsOf(0x3fffff), []);
});
