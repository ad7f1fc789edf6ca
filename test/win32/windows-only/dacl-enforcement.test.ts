// DACL enforcement, which Wine does not do: a pipe pair made for user A (D:(A;;GA;;;<A's SID>))
// refuses user B and the current (elevated) user with ERROR_ACCESS_DENIED, and admits A. Two
// throwaway local users, each probe a real node.exe process opening the pipes with CreateFileW:
// B and A launched through the project's own CreateProcessWithLogonW launcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createNamedPipePair, pipeSddl } from '../../../src/os/win32/named-pipe-pair';
import { ERROR_ACCESS_DENIED } from '../win32-test-api';
import { PIPE_OPEN_PROBE } from './probes';
import { readResult, runScriptAsMe, runScriptAsUser } from './staging';
import { useThrowawayAccounts } from './throwaway-accounts';
import { windowsWithAccounts } from './windows-only';

const skip = windowsWithAccounts('pipe DACLs enforced against other accounts', 'lets any account open a pipe whatever its DACL');

interface PipeProbe {
  user: string;
  pid: number;
  in: number;
  out: number;
  crash?: string;
}

const accounts = useThrowawayAccounts(['a', 'b'], skip);

test('a pipe pair made for user A refuses user B and the current user (error 5) and admits A, whose pid the pipe reports', { skip, timeout: 300_000 }, async () => {
  const { users: [a, b], stage: s } = accounts();
  const pair = await createNamedPipePair({ sandboxUsername: a.name });
  const waiting = new AbortController();
  const hold = setInterval(() => {}, 1000); // the launcher's exit watch does not keep the loop alive
  try {
    assert.equal(pair.describeAccess('in'), pipeSddl(a.sid));
    assert.equal(pair.describeAccess('out'), pipeSddl(a.sid));
    // The runner's side waits first, as a session does; the refused opens must not disturb it.
    const connected = Promise.all([pair.waitForClient('in', waiting.signal), pair.waitForClient('out', waiting.signal)]);
    connected.catch(() => {});
    const args = [`--pipe-in=${pair.names.in}`, `--pipe-out=${pair.names.out}`];

    const mineFile = path.join(s.scratch, 'current-user.json');
    assert.equal(await runScriptAsMe(s, PIPE_OPEN_PROBE, mineFile, args), 0);
    const mine = await readResult<PipeProbe>(mineFile);
    assert.equal(mine.crash, undefined);
    assert.deepEqual({ in: mine.in, out: mine.out }, { in: ERROR_ACCESS_DENIED, out: ERROR_ACCESS_DENIED }, `the current user (${mine.user}) was not refused`);

    const bFile = path.join(s.scratch, 'user-b.json');
    const asB = await runScriptAsUser(b, s, PIPE_OPEN_PROBE, bFile, args);
    const refused = await readResult<PipeProbe>(bFile, asB);
    await asB.exited;
    assert.equal(refused.crash, undefined);
    assert.equal(refused.user.toLowerCase(), b.name.toLowerCase(), 'the probe ran as B');
    assert.deepEqual({ in: refused.in, out: refused.out }, { in: ERROR_ACCESS_DENIED, out: ERROR_ACCESS_DENIED }, 'B was not refused');

    const aFile = path.join(s.scratch, 'user-a.json');
    const asA = await runScriptAsUser(a, s, PIPE_OPEN_PROBE, aFile, args);
    try {
      const admitted = await readResult<PipeProbe>(aFile, asA);
      assert.equal(admitted.crash, undefined);
      assert.equal(admitted.user.toLowerCase(), a.name.toLowerCase(), 'the probe ran as A');
      assert.deepEqual({ in: admitted.in, out: admitted.out }, { in: 0, out: 0 }, 'A was not admitted');
      await connected;
      // The OS's record of the client is the process the logon started.
      assert.equal(pair.clientProcessId('in'), asA.pid);
      assert.equal(pair.clientProcessId('out'), asA.pid);
      assert.equal(admitted.pid, asA.pid);
    } finally {
      asA.kill();
      await asA.exited;
    }
  } finally {
    waiting.abort(new Error('test over'));
    clearInterval(hold);
    await pair.close();
  }
});
