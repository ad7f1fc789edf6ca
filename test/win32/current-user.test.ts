// The token's user as upstream's `current_setup_user` names it (real_user of the setup helper's
// payloads): DOMAIN\user from OpenProcessToken + GetTokenInformation + LookupAccountSidW (async).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { currentSetupUser, currentTokenUser } from '../../src/os/win32/current-user';
import { currentUserName, currentUserSid, sidForUser } from '../../src/os/win32/sid';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

test('the token user is DOMAIN\\user: the same SID as the token, the name GetUserNameW gives, and that name resolves back to the SID', { skip }, async () => {
  const before = processHandleCount();
  const user = await currentTokenUser();
  assert.equal(processHandleCount(), before, 'the token handle is closed');
  assert.equal(user.sid, currentUserSid());
  assert.equal(user.name.toLowerCase(), currentUserName().toLowerCase());
  assert.ok(user.domain.length > 0, 'a domain (the machine for a local account)');
  assert.equal(user.qualified, `${user.domain}\\${user.name}`);
  assert.equal(await currentSetupUser(), user.qualified);
  // The qualified name is what the helper looks up: it must name this very account.
  assert.equal(sidForUser(user.qualified), user.sid);
  // A local account's domain is the machine's name (Wine's and Windows' LookupAccountSidW alike).
  if (process.env.USERDOMAIN === undefined || process.env.USERDOMAIN.toLowerCase() === os.hostname().toLowerCase()) {
    assert.equal(user.domain.toLowerCase(), os.hostname().toLowerCase());
  }
});

test('many concurrent lookups (each on a worker thread) agree and leave no handle behind', { skip }, async () => {
  const first = await currentSetupUser();
  const before = processHandleCount();
  const all = await Promise.all(Array.from({ length: 16 }, () => currentSetupUser()));
  assert.deepEqual(new Set(all), new Set([first]));
  assert.equal(processHandleCount(), before);
});
