// What a DPAPI scope means on Windows, which Wine's DPAPI (one format, no per-user keys) cannot
// show: a machine-scope blob says so in its header and is sealed with the machine's master key; a
// user-scope blob is sealed with this user's key, and another account cannot open it while it can
// open the machine-scope one. codex's setup writes its sandbox users' passwords in one of these
// scopes (src/os/win32/dpapi.ts); the other account is a throwaway local user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { protectData, unprotectData } from '../../../src/os/win32/dpapi';
import { DPAPI_UNPROTECT_PROBE } from './probes';
import { readResult, runScriptAsUser } from './staging';
import { useThrowawayAccounts } from './throwaway-accounts';
import { windowsOnly, windowsWithAccounts } from './windows-only';

const wine = 'writes one blob format ("Wine Crypt32 ok") for both scopes and keys nothing per user';
const skipHeader = windowsOnly('the DPAPI blob format of each scope', wine);
const skipAccounts = windowsWithAccounts('DPAPI scopes between accounts', wine);

/** DPAPI_BLOB's fixed head: version, provider GUID, master key version, master key GUID, flags. */
function blobHead(blob: Buffer) {
  return { version: blob.readUInt32LE(0), provider: guid(blob, 4), masterKey: guid(blob, 24), flags: blob.readUInt32LE(40) };
}

function guid(b: Buffer, at: number): string {
  const hex = (start: number, end: number) => b.subarray(at + start, at + end).toString('hex');
  const le = (start: number, end: number) => Buffer.from(b.subarray(at + start, at + end)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

const DPAPI_PROVIDER = 'df9d8cd0-1501-11d1-8c7a-00c04fc297eb';
const CRYPTPROTECT_LOCAL_MACHINE = 0x4;

test('a machine-scope blob carries CRYPTPROTECT_LOCAL_MACHINE and the machine\'s master key; user-scope blobs share this user\'s', { skip: skipHeader }, async () => {
  const secret = randomBytes(32);
  const [user1, user2, machine] = [await protectData(secret, 'user'), await protectData(secret, 'user'), await protectData(secret, 'machine')];
  const [u1, u2, m] = [blobHead(user1), blobHead(user2), blobHead(machine)];
  for (const head of [u1, u2, m]) {
    assert.equal(head.version, 1);
    assert.equal(head.provider, DPAPI_PROVIDER);
  }
  assert.equal(m.flags & CRYPTPROTECT_LOCAL_MACHINE, CRYPTPROTECT_LOCAL_MACHINE, `machine-scope flags 0x${m.flags.toString(16)}`);
  assert.equal(u1.flags & CRYPTPROTECT_LOCAL_MACHINE, 0, `user-scope flags 0x${u1.flags.toString(16)}`);
  assert.equal(u1.masterKey, u2.masterKey, "both user-scope blobs are sealed with this user's preferred master key");
  assert.notEqual(m.masterKey, u1.masterKey, "the machine-scope blob is sealed with the machine's key, not the user's");
  assert.notDeepEqual(user1, user2, 'each blob has its own salt');
  for (const blob of [user1, user2, machine]) assert.deepEqual(await unprotectData(blob), secret);
});

const accounts = useThrowawayAccounts(['d'], skipAccounts);

interface UnprotectProbe {
  user: string;
  results: { file: string; plainHex?: string; error?: number }[];
  crash?: string;
}

test('another account opens a machine-scope blob but not a user-scope one', { skip: skipAccounts, timeout: 300_000 }, async () => {
  const { users: [account], stage: s } = accounts();
  const secret = randomBytes(24);
  const userFile = path.join(s.scratch, 'user-scope.bin');
  const machineFile = path.join(s.scratch, 'machine-scope.bin');
  await fs.writeFile(userFile, await protectData(secret, 'user'));
  await fs.writeFile(machineFile, await protectData(secret, 'machine'));
  const resultFile = path.join(s.scratch, 'unprotect.json');
  const hold = setInterval(() => {}, 1000);
  try {
    const probe = await runScriptAsUser(account, s, DPAPI_UNPROTECT_PROBE, resultFile, [userFile, machineFile]);
    const got = await readResult<UnprotectProbe>(resultFile, probe);
    await probe.exited;
    assert.equal(got.crash, undefined);
    assert.equal(got.user.toLowerCase(), account.name.toLowerCase(), 'the probe ran as the other account');
    const [asUser, asMachine] = got.results;
    assert.equal(asMachine?.plainHex, secret.toString('hex'), `machine scope: ${JSON.stringify(asMachine)}`);
    assert.equal(asUser?.plainHex, undefined, 'a user-scope blob opened for another account');
    assert.ok(typeof asUser?.error === 'number' && asUser.error !== 0, `user scope: ${JSON.stringify(asUser)}`);
  } finally {
    clearInterval(hold);
  }
});
