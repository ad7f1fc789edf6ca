// Account name -> SID through Wine's advapi32 (LookupAccountNameW, ConvertSidToStringSidW).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentUserName, sidForUser, wellKnownSid } from '../../src/platform/win32/sid';
import { Win32Error } from '../../src/platform/win32/win32-error';
import { skipUnlessWindows as skip } from './win32-test-support';

test('well-known names map straight to their SIDs, whatever the case', () => {
  // Pure table: runs everywhere.
  assert.equal(wellKnownSid('Administrators'), 'S-1-5-32-544');
  assert.equal(wellKnownSid('users'), 'S-1-5-32-545');
  assert.equal(wellKnownSid('Authenticated Users'), 'S-1-5-11');
  assert.equal(wellKnownSid('EVERYONE'), 'S-1-1-0');
  assert.equal(wellKnownSid('SYSTEM'), 'S-1-5-18');
  assert.equal(wellKnownSid('CodexSandboxOffline'), undefined);
});

test('the current user resolves through LookupAccountNameW to an S-1-5-21 SID', { skip }, () => {
  const name = currentUserName();
  assert.ok(name.length > 0);
  const sid = sidForUser(name);
  assert.match(sid, /^S-1-5-21(-\d+){4}$/);
  assert.equal(sidForUser(name), sid, 'stable across lookups');
  assert.equal(sidForUser('Everyone'), 'S-1-1-0');
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
