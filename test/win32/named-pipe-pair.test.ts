// The named pipe pair for real: Wine's kernel32/advapi32 through the Windows koffi.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { createNamedPipePair, namedPipeApi, PIPE_ACCESS_INBOUND, pipeSddl } from '../../src/os/win32/named-pipe-pair';
import { currentUserName, currentUserSid } from '../../src/os/win32/sid';
import { readDaclSddl } from '../../src/os/win32/security-info';
import { pipeNonce } from '../../src/os/pipe-names';
import { Win32Error } from '../../src/os/win32/win32-error';
import { win32 } from '../../src/os/win32/win32-api';
import { OPEN_PIPES_SCRIPT, processHandleCount, runNode, skipUnlessWindows as skip } from './win32-test-support';

test('pipe names are upstream\'s, with 32 lower-case hex digits from the CSPRNG', { skip }, async () => {
  const pair = await createNamedPipePair();
  try {
    assert.match(pair.names.in, /^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-in$/);
    assert.match(pair.names.out, /^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-out$/);
    assert.equal(pair.names.in.slice(0, -3), pair.names.out.slice(0, -4));
  } finally {
    await pair.close();
  }
});

test('both pipes carry the DACL D:(A;;GA;;;<SID>), the token\'s user by default, read back from the OS', { skip }, async () => {
  const sid = currentUserSid();
  const pair = await createNamedPipePair();
  try {
    assert.equal(pair.describeAccess('in'), pipeSddl(sid));
    assert.equal(pair.describeAccess('out'), pipeSddl(sid));
  } finally {
    await pair.close();
  }
  const named = await createNamedPipePair({ sandboxUsername: currentUserName() });
  try {
    assert.equal(named.describeAccess('in'), pipeSddl(sid), 'a named user account is admitted');
  } finally {
    await named.close();
  }
});

test('a group as the sandbox user is refused before any pipe exists (a DACL admits only a user)', { skip }, async () => {
  const before = processHandleCount();
  await assert.rejects(createNamedPipePair({ sandboxUsername: 'Users' }), {
    message: 'account "Users" resolved to an alias (local group) (BUILTIN, S-1-5-32-545), not a user account; a pipe DACL may only admit a user',
  });
  await assert.rejects(createNamedPipePair({ sandboxUsername: 'Everyone' }), /^Error: account "Everyone" resolved to a well-known group/);
  assert.equal(processHandleCount(), before);
});

test('a second pipe pair under the same name is refused and leaves the first intact', { skip }, async () => {
  const nonce = pipeNonce();
  const first = await createNamedPipePair({ nonce });
  try {
    const second = createNamedPipePair({ nonce });
    // Windows refuses with 231 (one instance) or 5 (FIRST_PIPE_INSTANCE); Wine shows 231.
    await assert.rejects(second, (err: unknown) => {
      assert.ok(err instanceof Win32Error, String(err));
      assert.ok([5, 231].includes(err.code), err.message);
      assert.match(err.message, new RegExp(`^CreateNamedPipeW\\(\\\\\\\\\\.\\\\pipe\\\\codex-runner-${nonce}-in\\) failed: error (231|5) \\(.+\\)$`));
      return true;
    });
    assert.ok(first.describeAccess('in'));
  } finally {
    await first.close();
  }
});

test('a client that connects before the wait counts as connected (error 535)', { skip }, async () => {
  const pair = await createNamedPipePair();
  const client = net.connect({ path: pair.names.in, allowHalfOpen: true });
  try {
    await once(client, 'connect');
    await pair.waitForClient('in', new AbortController().signal);
    assert.equal(pair.clientProcessId('in'), process.pid);
    // The data path is Node's: bytes written on the stream arrive at the client.
    const toClient = pair.openStream('in');
    const received = once(client, 'data');
    toClient.write('over the named pipe');
    assert.equal(String((await received)[0]), 'over the named pipe');
    toClient.destroy();
  } finally {
    client.destroy();
    await pair.close();
  }
});

test('a wait is answered by a runner-like child, whose pid the pipe reports', { skip }, async () => {
  const pair = await createNamedPipePair();
  const { child, done } = runNode(OPEN_PIPES_SCRIPT, [pair.names.in, pair.names.out]);
  try {
    const signal = new AbortController().signal;
    await pair.waitForClient('in', signal);
    await pair.waitForClient('out', signal);
    assert.equal(pair.clientProcessId('in'), child.pid);
    assert.equal(pair.clientProcessId('out'), child.pid);
    assert.notEqual(pair.clientProcessId('in'), process.pid);
  } finally {
    child.kill();
    await done;
    await pair.close();
  }
});

test('an aborted wait rejects with the signal\'s reason, and the pipe can still be waited on', { skip }, async () => {
  const pair = await createNamedPipePair();
  try {
    const controller = new AbortController();
    const wait = pair.waitForClient('in', controller.signal);
    setImmediate(() => controller.abort(new Error('gave up on the runner')));
    await assert.rejects(wait, /gave up on the runner/);
    // The cancelled connect was collected: a new one works.
    const client = net.connect({ path: pair.names.in, allowHalfOpen: true });
    await pair.waitForClient('in', new AbortController().signal);
    client.destroy();
  } finally {
    await pair.close();
  }
});

test('close() during a wait rejects it, and is idempotent', { skip }, async () => {
  const pair = await createNamedPipePair();
  const wait = pair.waitForClient('out', new AbortController().signal);
  await pair.close();
  await pair.close();
  await assert.rejects(wait, /pipe-out .* closed while waiting for the runner/);
  await assert.rejects(pair.waitForClient('in', new AbortController().signal), /is closed/);
});

test('readDaclSddl names the object when the handle is bad', { skip }, () => {
  assert.throws(() => readDaclSddl(0x7ffffff0, 'a bogus handle'), /^Win32Error: GetSecurityInfo\(a bogus handle\) failed: error \d+ \(.+\)$/);
});

test('when the second pipe cannot be created, the first is closed again', { skip }, async () => {
  const api = win32();
  const nonce = pipeNonce();
  // Someone already holds the -out name.
  const squatter = namedPipeApi().CreateNamedPipeW(`\\\\.\\pipe\\codex-runner-${nonce}-out`, PIPE_ACCESS_INBOUND, 0, 1, 4096, 4096, 0, { nLength: api.koffi.sizeof('SECURITY_ATTRIBUTES'), lpSecurityDescriptor: null, bInheritHandle: 0 });
  assert.ok(squatter > 0, 'squatter pipe');
  const before = processHandleCount();
  try {
    await assert.rejects(createNamedPipePair({ nonce }), new RegExp(`^Win32Error: CreateNamedPipeW\\(.*codex-runner-${nonce}-out\\) failed: error (231|5) `));
    assert.equal(processHandleCount(), before, 'the -in pipe handle was closed');
  } finally {
    api.CloseHandle(squatter);
  }
  // Both names are free again: had -in leaked, this would fail with 231.
  const pair = await createNamedPipePair({ nonce });
  await pair.close();
});
