// FILE_FLAG_FIRST_PIPE_INSTANCE against a squatter: someone who created a runner pipe's name first,
// with room for more instances and a DACL that lets anyone in, hoping our pipe becomes their
// pipe's second instance (then the runner could be talking to them). Windows refuses our create
// with ERROR_ACCESS_DENIED; without the flag the same create succeeds, which is what the flag is for.
// A session whose pipe name is squatted fails at creating_pipes, leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createNamedPipePair, namedPipeApi, PIPE_ACCESS_INBOUND, PIPE_ACCESS_OUTBOUND, PIPE_READMODE_BYTE, PIPE_TYPE_BYTE, PIPE_WAIT } from '../../../src/os/win32/named-pipe-pair';
import { FILE_FLAG_OVERLAPPED } from '../../../src/os/win32/overlapped-connect';
import { SDDL_REVISION_1, securityApi } from '../../../src/os/win32/security-info';
import { INVALID_HANDLE_VALUE, win32 } from '../../../src/os/win32/win32-api';
import { ERROR_ACCESS_DENIED } from '../win32-test-api';
import { lastWin32Error, Win32Error } from '../../../src/os/win32/win32-error';
import { pipeNonce, windowsPipeNames } from '../../../src/os/pipe-names';
import { Session } from '../../../src/main/session/session';
import { windowsOnly } from './windows-only';
import { processHandleCount } from '../win32-test-support';

// Under Wine our create joins the squatter's pipe as its second instance (seen: Wine ignores the flag).
const skip = windowsOnly('FILE_FLAG_FIRST_PIPE_INSTANCE refusing a squatted name', 'ignores FILE_FLAG_FIRST_PIPE_INSTANCE: there our create joins the squatter as its second instance');
const PIPE_UNLIMITED_INSTANCES = 255;

/** A pipe instance under `name` with the given flags, open to Everyone (WD), unlimited instances. */
function createInstance(name: string, access: number): number {
  const api = win32();
  const descriptor: [unknown] = [null];
  if (!securityApi().ConvertStringSecurityDescriptorToSecurityDescriptorW('D:(A;;GA;;;WD)', SDDL_REVISION_1, descriptor, null)) throw lastWin32Error('ConvertStringSecurityDescriptorToSecurityDescriptorW');
  try {
    const handle = namedPipeApi().CreateNamedPipeW(name, access, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, {
      nLength: api.koffi.sizeof('SECURITY_ATTRIBUTES'),
      lpSecurityDescriptor: descriptor[0],
      bInheritHandle: 0,
    });
    if (handle === INVALID_HANDLE_VALUE || handle === 0) throw lastWin32Error(`CreateNamedPipeW(${name})`);
    return handle;
  } finally {
    api.LocalFree(descriptor[0]);
  }
}

test('a squatted pipe-in name: our create is refused with error 5, where a create without the flag would have joined the squatter', { skip }, async () => {
  const api = win32();
  const nonce = pipeNonce();
  const names = windowsPipeNames(nonce);
  const squatter = createInstance(names.in, PIPE_ACCESS_OUTBOUND | FILE_FLAG_OVERLAPPED);
  try {
    const before = processHandleCount();
    await assert.rejects(createNamedPipePair({ nonce }), (err: unknown) => {
      assert.ok(err instanceof Win32Error, String(err));
      assert.equal(err.code, ERROR_ACCESS_DENIED, err.message);
      assert.match(err.message, new RegExp(`^CreateNamedPipeW\\(\\\\\\\\\\.\\\\pipe\\\\codex-runner-${nonce}-in\\) failed: error 5 \\(.+\\)$`));
      return true;
    });
    assert.equal(processHandleCount(), before, 'nothing left open by the refused create');
    // The control: the same create without FILE_FLAG_FIRST_PIPE_INSTANCE becomes a second instance.
    const joined = createInstance(names.in, PIPE_ACCESS_OUTBOUND | FILE_FLAG_OVERLAPPED);
    api.CloseHandle(joined);
  } finally {
    api.CloseHandle(squatter);
  }
});

test('a squatted pipe-out name: the pair is refused and its pipe-in, already made, is closed again', { skip }, async () => {
  const api = win32();
  const nonce = pipeNonce();
  const squatter = createInstance(windowsPipeNames(nonce).out, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED);
  try {
    const before = processHandleCount();
    await assert.rejects(createNamedPipePair({ nonce }), { name: 'Win32Error', code: ERROR_ACCESS_DENIED });
    assert.equal(processHandleCount(), before);
  } finally {
    api.CloseHandle(squatter);
  }
  const pair = await createNamedPipePair({ nonce }); // both names are free again
  await pair.close();
});

test('a session whose pipe name is squatted fails at creating_pipes and starts no runner', { skip, timeout: 60_000 }, async () => {
  const api = win32();
  // Nobody can guess 128 random bits: the test makes the CSPRNG's next 16 bytes known, which is
  // what a squatter would need. Only the session's pipe nonce asks for 16 bytes here.
  const known = randomBytes(16);
  const names = windowsPipeNames(known.toString('hex'));
  const squatter = createInstance(names.in, PIPE_ACCESS_OUTBOUND | FILE_FLAG_OVERLAPPED);
  // The module object itself (pipe-names.ts calls its randomBytes at call time), not an import's
  // read-only namespace copy.
  const cryptoModule = require('node:crypto') as { randomBytes: typeof randomBytes };
  const realRandomBytes = cryptoModule.randomBytes;
  cryptoModule.randomBytes = ((size: number, ...rest: unknown[]) => {
    if (size === 16 && rest.length === 0) {
      cryptoModule.randomBytes = realRandomBytes;
      return Buffer.from(known);
    }
    return (realRandomBytes as (...a: unknown[]) => Buffer)(size, ...rest);
  }) as typeof randomBytes;
  try {
    const session = new Session({ command: [process.execPath, '-e', '0'], allowUnenforcedPolicy: true });
    await session.start();
    const result = await session.exited;
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.stage, 'creating_pipes');
    assert.match(result.error!.message, new RegExp(`^CreateNamedPipeW\\(.*codex-runner-${known.toString('hex')}-in\\) failed: error 5 \\(.+\\)$`));
    assert.equal(session.status().runnerPid, undefined, 'no runner was launched');
  } finally {
    cryptoModule.randomBytes = realRandomBytes;
    api.CloseHandle(squatter);
  }
});
