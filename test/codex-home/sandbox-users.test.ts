// Reading codex's sandbox setup files for real from temp codex homes, up to decryption: every
// malformed file gets an error naming the file and the problem; on Linux the last step, DPAPI,
// fails with its own clear error (a real result: there is no DPAPI here).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { CodexHomeError, type CodexHomeProblem } from '../../src/main/codex/home/codex-home-error';
import { loadSandboxLogon } from '../../src/main/codex/home/sandbox-users';
import { DpapiUnavailableError } from '../../src/os/win32/dpapi';
import { codexHomeScratch, marker, OFFLINE, ONLINE, users } from '../helpers/codex-home-fixture';

const skipOnWindows = process.platform === 'win32' ? 'checks the Linux/macOS DPAPI error; test/win32/sandbox-users.test.ts decrypts for real' : false;
const scratch = codexHomeScratch('codex-home-users');
after(() => scratch.dispose());

const HINT = 'run codex once with the Windows sandbox enabled so it sets up its sandbox users';
// Well-formed base64 of bytes that are not a DPAPI blob: shape checks pass, decryption is next.
const BLOB_A = Buffer.from('blob of the offline user').toString('base64');
const BLOB_B = Buffer.from('blob of the online user!').toString('base64');

/** A codex home with both files as a version-5 setup writes them, then `change` applied. */
function home(change: (f: ReturnType<typeof scratch.make>) => void = () => {}) {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(BLOB_A, BLOB_B));
  change(f);
  return f;
}

function failsWith(problem: CodexHomeProblem, file: string, message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof CodexHomeError, String(err));
    assert.equal(err.problem, problem, err.message);
    assert.equal(err.file, file);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

test('well-formed files: the offline user for a restricted network, the online one otherwise; then DPAPI, which only Windows has', { skip: skipOnWindows }, async () => {
  const f = home();
  await assert.rejects(
    loadSandboxLogon(f.home, { networkRestricted: true }),
    (err: unknown) =>
      failsWith('dpapi-unavailable', f.usersFile, `cannot decrypt the password of ${OFFLINE} in ${f.usersFile}: DPAPI is only available on Windows`)(err) &&
      (err as Error).cause instanceof DpapiUnavailableError,
  );
  await assert.rejects(
    loadSandboxLogon(f.home, { networkRestricted: false }),
    failsWith('dpapi-unavailable', f.usersFile, `cannot decrypt the password of ${ONLINE} in ${f.usersFile}: DPAPI is only available on Windows`),
  );
});

test('older installs: the users file under .sandbox is used when .sandbox-secrets has none, and only then', { skip: skipOnWindows }, async () => {
  const old = scratch.make();
  old.writeMarker(marker(2));
  old.writeUsers(users(BLOB_A, BLOB_B, 2), 'legacy');
  await assert.rejects(loadSandboxLogon(old.home, { networkRestricted: true }), failsWith('dpapi-unavailable', old.legacyUsersFile, /DPAPI is only available on Windows$/));
  // Both there (an upgraded install): .sandbox-secrets wins, even over a newer-looking leftover.
  const both = home((f) => f.writeUsers({ bogus: true }, 'legacy'));
  await assert.rejects(loadSandboxLogon(both.home, { networkRestricted: true }), failsWith('dpapi-unavailable', both.usersFile, /DPAPI/));
});

test('a missing marker or users file: which file, where else was looked, and what to do', async () => {
  const noMarker = scratch.make();
  noMarker.writeUsers(users(BLOB_A, BLOB_B));
  await assert.rejects(
    loadSandboxLogon(noMarker.home, { networkRestricted: true }),
    failsWith('setup-missing', noMarker.markerFile, `codex's sandbox setup marker ${noMarker.markerFile} does not exist: ${HINT}`),
  );
  const noUsers = scratch.make();
  noUsers.writeMarker(marker());
  await assert.rejects(
    loadSandboxLogon(noUsers.home, { networkRestricted: false }),
    failsWith(
      'setup-missing',
      noUsers.usersFile,
      `codex's sandbox users file ${noUsers.usersFile} does not exist (nor ${noUsers.legacyUsersFile}, where older setups put it): ${HINT}`,
    ),
  );
  const empty = scratch.make();
  await assert.rejects(loadSandboxLogon(empty.home, { networkRestricted: true }), failsWith('setup-missing', empty.markerFile, /does not exist/));
});

test('a folder where a file should be is not the file', async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  mkdirSync(f.usersFile, { recursive: true });
  await assert.rejects(
    loadSandboxLogon(f.home, { networkRestricted: true }),
    failsWith('setup-missing', f.usersFile, `codex's sandbox users file ${f.usersFile} is a directory, not a regular file: ${HINT}`),
  );
});

test('bad JSON, non-UTF-8 text, a JSON value that is not an object, a huge file', async () => {
  const badJson = home((f) => f.writeRaw(f.usersFile, '{"version": 5, "offline": '));
  await assert.rejects(
    loadSandboxLogon(badJson.home, { networkRestricted: true }),
    failsWith('setup-corrupt', badJson.usersFile, new RegExp(`^codex's sandbox users file ${escape(badJson.usersFile)} is not valid JSON( \\(at character \\d+\\))?: ${HINT}$`)),
  );
  const notUtf8 = home((f) => f.writeRaw(f.markerFile, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])));
  await assert.rejects(loadSandboxLogon(notUtf8.home, { networkRestricted: true }), failsWith('setup-corrupt', notUtf8.markerFile, /setup marker .* is not UTF-8 text: /));
  const list = home((f) => f.writeRaw(f.markerFile, '[5]'));
  await assert.rejects(loadSandboxLogon(list.home, { networkRestricted: true }), failsWith('setup-corrupt', list.markerFile, /is not a JSON object \(found a list\): /));
  const huge = home((f) => f.writeRaw(f.usersFile, `{"pad":"${'x'.repeat(2 << 20)}"}`));
  await assert.rejects(loadSandboxLogon(huge.home, { networkRestricted: true }), failsWith('setup-corrupt', huge.usersFile, /holds more than 1048576 bytes, far more than codex writes: /));
});

test('versions must be whole u32 numbers: a string, a fraction, a negative or a missing version is named', async () => {
  const cases: Array<[unknown, RegExp]> = [
    ['5', /field "version" must be a whole number from 0 to 4294967295 \(found the string "5"\)/],
    [5.5, /field "version" must be a whole number .* \(found number 5\.5\)/],
    [-1, /\(found number -1\)/],
    [2 ** 32, /\(found number 4294967296\)/],
    [null, /\(found null\)/],
    [undefined, /has no field "version" \(a whole number from 0 to 4294967295\)/],
  ];
  for (const [version, message] of cases) {
    const m = home((f) => f.writeMarker(marker(5, { version })));
    await assert.rejects(loadSandboxLogon(m.home, { networkRestricted: true }), failsWith('setup-corrupt', m.markerFile, message));
    const u = home((f) => f.writeUsers({ ...users(BLOB_A, BLOB_B), version }));
    await assert.rejects(loadSandboxLogon(u.home, { networkRestricted: true }), failsWith('setup-corrupt', u.usersFile, message));
  }
});

test('every other field of both files is checked by name', async () => {
  const markerCases: Array<[Record<string, unknown>, RegExp]> = [
    [{ offline_username: undefined }, /has no field "offline_username" \(a non-empty string\)/],
    [{ online_username: 7 }, /field "online_username" must be a non-empty string \(found number 7\)/],
    [{ offline_username: '' }, /field "offline_username" must be a non-empty string \(found the string ""\)/],
    [{ offline_username: 'Codex\u0000Offline' }, /field "offline_username" must be an account name without control characters/],
    [{ created_at: 12 }, /field "created_at" must be a string or null/],
    [{ proxy_ports: [8080, 70000] }, /field "proxy_ports" must be a list of port numbers \(0 to 65535\) \(found a list\)/],
    [{ proxy_ports: null }, /field "proxy_ports" must be a list of port numbers/],
    [{ allow_local_binding: 'yes' }, /field "allow_local_binding" must be true or false \(found the string "yes"\)/],
  ];
  for (const [overrides, message] of markerCases) {
    const f = home((x) => x.writeMarker(marker(5, overrides)));
    await assert.rejects(loadSandboxLogon(f.home, { networkRestricted: true }), failsWith('setup-corrupt', f.markerFile, message));
  }
  const usersCases: Array<[unknown, RegExp]> = [
    [{ version: 5, online: { username: ONLINE, password: BLOB_B } }, /has no field "offline" \(an object\)/],
    [{ version: 5, offline: 'CodexSandboxOffline:pw', online: { username: ONLINE, password: BLOB_B } }, /field "offline" must be an object \(found the string/],
    [{ version: 5, offline: { username: OFFLINE }, online: { username: ONLINE, password: BLOB_B } }, /has no field "offline.password" \(a non-empty string\)/],
    [{ version: 5, offline: { username: OFFLINE, password: BLOB_A }, online: { username: ONLINE, password: [1, 2] } }, /field "online.password" must be a non-empty string \(found a list\)/],
    [{ version: 5, offline: { username: null, password: BLOB_A }, online: { username: ONLINE, password: BLOB_B } }, /field "offline.username" must be a non-empty string \(found null\)/],
  ];
  for (const [content, message] of usersCases) {
    const f = home((x) => x.writeUsers(content));
    await assert.rejects(loadSandboxLogon(f.home, { networkRestricted: true }), failsWith('setup-corrupt', f.usersFile, message));
  }
});

test('marker and users file written by different setups: versions or usernames that disagree, both files named', async () => {
  const versions = home((f) => f.writeUsers(users(BLOB_A, BLOB_B, 2)));
  await assert.rejects(
    loadSandboxLogon(versions.home, { networkRestricted: true }),
    failsWith(
      'setup-mismatch',
      versions.usersFile,
      `codex's sandbox setup files disagree: ${versions.markerFile} is of setup version 5 but ${versions.usersFile} of version 2; they were written by different setups: ${HINT}`,
    ),
  );
  // The marker moved to a newer setup, .sandbox-secrets is gone, an old .sandbox/sandbox_users.json remains.
  const stale = scratch.make();
  stale.writeMarker(marker(5));
  stale.writeUsers(users(BLOB_A, BLOB_B, 2), 'legacy');
  await assert.rejects(loadSandboxLogon(stale.home, { networkRestricted: true }), failsWith('setup-mismatch', stale.legacyUsersFile, /is of setup version 5 but .* of version 2/));

  const names = home((f) => f.writeMarker(marker(5, { online_username: 'SomeoneElse' })));
  await assert.rejects(
    loadSandboxLogon(names.home, { networkRestricted: true }), // even when the other user is the one asked for
    failsWith(
      'setup-mismatch',
      names.usersFile,
      `codex's sandbox setup files disagree: ${names.markerFile} names the online user "SomeoneElse" but ${names.usersFile} has "${ONLINE}"; they were written by different setups: ${HINT}`,
    ),
  );
});

test('the chosen password must be canonical standard base64 (as upstream decodes it); the other is not decoded', { skip: skipOnWindows }, async () => {
  for (const bad of ['not base64!', 'QUJD RA==', 'QUI', 'QUJ=', 'QU==', '-_-_', 'QUJDRA==\n']) {
    const f = home((x) => x.writeUsers(users(bad, BLOB_B)));
    await assert.rejects(
      loadSandboxLogon(f.home, { networkRestricted: true }),
      failsWith('setup-corrupt', f.usersFile, `codex's sandbox users file ${f.usersFile} field "offline.password" is not standard base64: ${HINT}`),
      JSON.stringify(bad),
    );
    // Upstream decodes only the chosen user's password: the online one still gets to DPAPI.
    await assert.rejects(loadSandboxLogon(f.home, { networkRestricted: false }), failsWith('dpapi-unavailable', f.usersFile, /DPAPI is only available on Windows/));
  }
});

test('an unreadable file is named with the reason', { skip: process.getuid?.() === 0 ? 'runs as root, who can read a mode-000 file' : process.platform === 'win32' ? 'no chmod 000 on Windows' : false }, async () => {
  const f = home();
  chmodSync(f.markerFile, 0o000);
  try {
    await assert.rejects(loadSandboxLogon(f.home, { networkRestricted: true }), failsWith('setup-unreadable', f.markerFile, /cannot be read \(EACCES/));
  } finally {
    chmodSync(f.markerFile, 0o600);
  }
});

test('bad arguments are refused before reading anything', async () => {
  await assert.rejects(loadSandboxLogon('', { networkRestricted: true }), /codexHome must be a non-empty path/);
  await assert.rejects(loadSandboxLogon('/tmp', {} as { networkRestricted: boolean }), /networkRestricted must be true or false/);
  await assert.rejects(loadSandboxLogon('/tmp', undefined as unknown as { networkRestricted: boolean }), /networkRestricted must be true or false/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
