// What macOS gets (no child subreaper there), run here with the macOS table reader (`ps`) in a
// process that is not a subreaper: a tree with its parent links intact dies whole; an orphan
// whose parent already exited is still caught if it stayed in a process group we kill, and
// escapes if it also left the group (setsid). That last case is exactly what the subreaper fixes
// on Linux (test/runner/process-tree.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { killDescendants, psProcessTable } from '../../src/os/posix/process-tree';
import { eventually, isAlive } from '../helpers/process-state';
import { printedPids } from '../helpers/printed-pids';

const skip = process.platform !== 'linux' && 'isAlive reads /proc';
const readTable = () => psProcessTable();

function shellWithPids(script: string, count: number, detached = false) {
  const shell = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], detached });
  return { shell, pids: printedPids(shell, count) };
}

test('parent links intact: the ps walk finds and kills the whole tree, setsid grandchild included', { skip }, async () => {
  const { shell, pids } = shellWithPids('setsid sleep 300 & echo $!; sleep 300 & echo $!; wait', 2);
  const found = await pids;
  await killDescendants(shell.pid!, { includeRoot: true, readTable });
  assert.ok(await eventually(() => [shell.pid!, ...found].every((p) => !isAlive(p))));
});

test('orphans without a subreaper: one left in the command group dies with it, a setsid one escapes', { skip }, async () => {
  // The command leads its own group (the runner spawns it detached); a shell inside it starts two
  // jobs and exits, so both are orphaned away from the command (no parent link left).
  const { shell, pids } = shellWithPids('sh -c \'sleep 300 >/dev/null & echo $!; setsid sleep 300 >/dev/null & echo $!\'; echo $$; exec sleep 300', 3, true);
  const [inGroup, escaped, command] = (await pids) as [number, number, number];
  assert.equal(command, shell.pid, 'printed once the inner shell has exited');
  try {
    await killDescendants(shell.pid!, { includeRoot: true, readTable });
    assert.ok(await eventually(() => !isAlive(shell.pid) && !isAlive(inGroup)), 'the command and its group are gone');
    assert.ok(isAlive(escaped), 'the setsid orphan is beyond reach without a subreaper');
  } finally {
    try {
      process.kill(escaped, 'SIGKILL');
    } catch {}
  }
});
