// SIDs for the pipes' DACL through Wine's advapi32: the token's user (OpenProcessToken,
// GetTokenInformation), LookupAccountNameW restricted to user accounts, ConvertSidToStringSidW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentUserName, currentUserSid, describeSidNameUse, sidForUser } from '../../src/os/win32/sid';
import { Win32Error } from '../../src/os/win32/win32-error';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

test('SID_NAME_USE values are named (plain table: runs everywhere)', () => {
  assert.equal(describeSidNameUse(1), 'a user');
  assert.equal(describeSidNameUse(4), 'an alias (local group)');
  assert.equal(describeSidNameUse(5), 'a well-known group');
  assert.equal(describeSidNameUse(42), 'SID_NAME_USE 42');
});

test('the current user\'s SID from the token is the one LookupAccountNameW gives for its name', { skip }, () => {
  const before = processHandleCount();
  const fromToken = currentUserSid();
  assert.equal(processHandleCount(), before, 'the token handle is closed');
  assert.match(fromToken, /^S-1-5-21(-\d+){4}$/);
  const name = currentUserName();
  assert.ok(name.length > 0);
  assert.equal(sidForUser(name), fromToken);
  assert.equal(currentUserSid(), fromToken, 'stable across reads');
});

test('a group, alias, well-known group or domain name is refused, naming what it resolved to', { skip }, () => {
  const refusals: Array<[string, RegExp]> = [
    ['Users', /^account "Users" resolved to an alias \(local group\) \(BUILTIN, S-1-5-32-545\), not a user account; a pipe DACL may only admit a user$/],
    ['Administrators', /^account "Administrators" resolved to an alias \(local group\) \(BUILTIN, S-1-5-32-544\), not a user account/],
    ['Everyone', /^account "Everyone" resolved to a well-known group \(S-1-1-0\), not a user account/],
    ['SYSTEM', /^account "SYSTEM" resolved to a well-known group \(NT AUTHORITY, S-1-5-18\), not a user account/],
    ['Authenticated Users', /^account "Authenticated Users" resolved to a well-known group \(NT AUTHORITY, S-1-5-11\), not a user account/],
    ['BUILTIN', /^account "BUILTIN" resolved to a domain \(BUILTIN, S-1-5-32\), not a user account/],
  ];
  for (const [name, message] of refusals) assert.throws(() => sidForUser(name), { message }, name);
});

test('an unknown account gives an error naming the call, the account and the code', { skip }, () => {
  assert.throws(
    () => sidForUser('codex-no-such-user-4711'),
    (err: unknown) => {
      assert.ok(err instanceof Win32Error);
      assert.equal(err.code, 1332);
      assert.match(err.message, /^LookupAccountNameW\(codex-no-such-user-4711\) failed: error 1332 \(.+\)$/);
      return true;
    },
  );
  assert.throws(() => sidForUser('  '), /sandbox username must be a non-empty string/);
});
