// NetUserGetInfo level 1 through koffi's .async, as upstream's local_user_flags reads codex's sandbox
// accounts: an account that exists (this process's own user: Wine and Windows both have it) gives
// its flags, enabled; a name no account has gives null (NERR_UserNotFound); no buffer or handle is
// left behind. And readiness on a home whose users file names accounts: ready when they exist, with
// account_missing when one does not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxReadiness } from '../../src/main/codex/home/readiness';
import { localUserFlags, UF_ACCOUNTDISABLE, UF_PASSWORD_EXPIRED } from '../../src/os/win32/net-user';
import { currentUserName } from '../../src/os/win32/sid';
import { codexHomeScratch, marker, users } from '../helpers/codex-home-fixture';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

const scratch = codexHomeScratch('net-user');
after(() => scratch.dispose());
const MISSING = 'CodexNoSuchUser7f3a';

test('an existing account gives its USER_INFO_1 flags (enabled, password not expired); a missing name gives null', { skip }, async () => {
  const me = currentUserName();
  const flags = await localUserFlags(me);
  assert.equal(typeof flags, 'number', `NetUserGetInfo(${me}) gave ${flags}`);
  assert.equal(flags! & UF_ACCOUNTDISABLE, 0, 'this process runs as an enabled account');
  assert.equal(flags! & UF_PASSWORD_EXPIRED, 0);
  assert.equal(await localUserFlags(MISSING), null);
  await assert.rejects(localUserFlags(''), TypeError);
  await assert.rejects(localUserFlags('a\0b'), TypeError);
});

test('many lookups at once (each on a worker thread) agree and leave no handle behind', { skip }, async () => {
  const me = currentUserName();
  const first = await localUserFlags(me);
  const before = processHandleCount();
  const all = await Promise.all(Array.from({ length: 16 }, (_, i) => localUserFlags(i % 2 ? me : MISSING)));
  assert.deepEqual(all, Array.from({ length: 16 }, (_, i) => (i % 2 ? first : null)));
  assert.equal(processHandleCount(), before);
});

test('readiness checks the accounts the users file names: ready when they exist, account_missing for one that does not', { skip }, async () => {
  const me = currentUserName();
  const blob = Buffer.from('blob').toString('base64');
  const helperHome = scratch.make();
  helperHome.writeRaw(`${helperHome.home}\\install\\codex-resources\\codex-windows-sandbox-setup.exe`, 'x');
  const codexInstall = `${helperHome.home}\\install`;

  const ready = scratch.make();
  ready.writeMarker(marker(5, { offline_username: me, online_username: me }));
  ready.writeUsers({ version: 5, offline: { username: me, password: blob }, online: { username: me, password: blob } });
  const r = await sandboxReadiness({ codexHome: ready.home, codexInstall });
  assert.deepEqual({ state: r.state, reasons: r.reasons }, { state: 'ready', reasons: [] });
  // The accounts were checked; what differs from codex's own check is said.
  assert.deepEqual(r.notes, [`the users file names ${me} and ${me}, not codex's own CodexSandboxOffline/CodexSandboxOnline: these accounts are the ones checked and logged on as here, but codex itself checks its fixed names and would set up again`]);

  const gone = scratch.make();
  gone.writeMarker(marker(5, { offline_username: MISSING, online_username: me }));
  gone.writeUsers({ ...users(blob, blob), offline: { username: MISSING, password: blob }, online: { username: me, password: blob } });
  const g = await sandboxReadiness({ codexHome: gone.home, codexInstall });
  assert.equal(g.state, 'update_required');
  assert.deepEqual(g.reasons.map((x) => x.code), ['account_missing']);
  assert.match(g.reasons[0]!.message, new RegExp(`account ${MISSING} does not exist`));
});
