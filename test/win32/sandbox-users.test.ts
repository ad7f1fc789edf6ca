// loadSandboxLogon against codex homes holding real DPAPI blobs (made here with
// CryptProtectData, as codex's setup does): the right user and the exact password bytes for a
// restricted and an open network, the undecryptable case named, wipe(), nothing leaked into
// JSON/inspect/errors, no handle left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { CodexHomeError } from '../../src/main/codex/home/codex-home-error';
import { loadSandboxLogon, type SandboxLogon } from '../../src/main/codex/home/sandbox-users';
import { protectData } from '../../src/os/win32/dpapi';
import { codexHomeScratch, marker, OFFLINE, ONLINE, users } from '../helpers/codex-home-fixture';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

const scratch = codexHomeScratch('codex-home-logon');
after(() => scratch.dispose());

// Like upstream's random_password(): 24 characters from its alphabet; plus one beyond ASCII.
const OFFLINE_PASSWORD = 'aZ3!x@9#Qm$2%Lp^7&Rt*8(w';
const ONLINE_PASSWORD = 'Pä$$wörd-€-😀-online-42';

const blobOf = async (text: string | Buffer, scope: 'user' | 'machine' = 'machine') =>
  (await protectData(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), scope)).toString('base64');
const utf16z = (text: string) => Buffer.from(`${text}\0`, 'utf16le');

/** Every way the logon could be rendered: none may contain a password, in UTF-8, UTF-16 or base64. */
function assertNoPasswordIn(texts: string[]) {
  for (const text of texts) {
    for (const password of [OFFLINE_PASSWORD, ONLINE_PASSWORD]) {
      assert.ok(!text.includes(password), `password leaked in: ${text.slice(0, 200)}`);
      assert.ok(!text.includes(Buffer.from(password, 'utf16le').toString('hex')), 'password leaked as UTF-16 hex');
      assert.ok(!text.includes(Buffer.from(password).toString('base64')), 'password leaked as base64');
    }
  }
}

async function newSetup(version = 5, where: 'secrets' | 'legacy' = 'secrets') {
  const f = scratch.make();
  f.writeMarker(marker(version));
  // Newer setups protect with machine scope, older ones with user scope: one of each.
  f.writeUsers(users(await blobOf(OFFLINE_PASSWORD, 'user'), await blobOf(ONLINE_PASSWORD, 'machine'), version), where);
  return f;
}

test('restricted network: the offline user; open network: the online one; the exact password as NUL-terminated UTF-16LE', { skip }, async () => {
  const f = await newSetup();
  const offline = await loadSandboxLogon(f.home, { networkRestricted: true });
  assert.equal(offline.username, OFFLINE);
  assert.equal(offline.identity, 'offline');
  assert.equal(offline.usersFile, f.usersFile);
  assert.equal(offline.markerFile, f.markerFile);
  assert.equal(offline.setupVersion, 5);
  assert.deepEqual(offline.password.utf16z(), utf16z(OFFLINE_PASSWORD));

  const online = await loadSandboxLogon(f.home, { networkRestricted: false });
  assert.equal(online.username, ONLINE);
  assert.equal(online.identity, 'online');
  assert.deepEqual(online.password.utf16z(), utf16z(ONLINE_PASSWORD));
  assert.equal(online.password.length, ONLINE_PASSWORD.length);
  offline.password.wipe();
  online.password.wipe();
});

test('an older install (setup version 2, users file under .sandbox) reads the same way', { skip }, async () => {
  const f = await newSetup(2, 'legacy');
  const logon = await loadSandboxLogon(f.home, { networkRestricted: true });
  assert.equal(logon.usersFile, f.legacyUsersFile);
  assert.equal(logon.setupVersion, 2);
  assert.deepEqual(logon.password.utf16z(), utf16z(OFFLINE_PASSWORD));
  logon.password.wipe();
});

test('a blob made of garbage bytes: the specific undecryptable error, naming the file and the DPAPI error', { skip }, async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(Buffer.from('garbage bytes that are no DPAPI blob').toString('base64'), await blobOf(ONLINE_PASSWORD)));
  const err: unknown = await loadSandboxLogon(f.home, { networkRestricted: true }).catch((e: unknown) => e);
  assert.ok(err instanceof CodexHomeError, String(err));
  assert.equal(err.problem, 'password-undecryptable');
  assert.equal(err.file, f.usersFile);
  assert.match(
    err.message,
    new RegExp(
      `^cannot decrypt the password of ${OFFLINE} in ${escape(f.usersFile)} \\(CryptUnprotectData failed: error [1-9]\\d* \\(.+\\)\\); ` +
        `it was protected for another Windows user or machine, or it is damaged: delete ${escape(f.usersFile)}, then run codex once with the Windows sandbox enabled so it sets up its sandbox users again$`,
    ),
  );
  assertNoPasswordIn([err.message, String(err.stack), inspect(err, { depth: 10 })]);
  // The other user's blob is fine and still loads.
  const online = await loadSandboxLogon(f.home, { networkRestricted: false });
  assert.deepEqual(online.password.utf16z(), utf16z(ONLINE_PASSWORD));
  online.password.wipe();
});

test('a blob that decrypts to bytes that are not UTF-8, or hold a NUL, is refused as not a password', { skip }, async () => {
  for (const [plain, why] of [
    [Buffer.from([0x70, 0x77, 0xff, 0xfe]), 'is not valid UTF-8'],
    [Buffer.from('pass\0word'), 'contains a NUL character, which a Windows string cannot carry'],
  ] as const) {
    const f = scratch.make();
    f.writeMarker(marker());
    f.writeUsers(users(await blobOf(plain), await blobOf(ONLINE_PASSWORD)));
    await assert.rejects(loadSandboxLogon(f.home, { networkRestricted: true }), (err: unknown) => {
      assert.ok(err instanceof CodexHomeError);
      assert.equal(err.problem, 'password-undecryptable');
      assert.equal(err.file, f.usersFile);
      assert.equal(err.message, `the password of ${OFFLINE} in ${f.usersFile} decrypts to text that ${why}: delete ${f.usersFile}, then run codex once with the Windows sandbox enabled so it sets up its sandbox users again`);
      return true;
    });
  }
});

test('wipe() zeroes the password buffer; the logon never shows its password in JSON, inspect or String', { skip }, async () => {
  const f = await newSetup();
  const logon: SandboxLogon = await loadSandboxLogon(f.home, { networkRestricted: false });
  const renderings = [JSON.stringify(logon), inspect(logon, { depth: Infinity, showHidden: true }), String(logon.password), `${logon.password}`, JSON.stringify(structuredClone(logon))];
  assertNoPasswordIn(renderings);
  assert.equal(JSON.parse(JSON.stringify(logon)).password, '[redacted]');
  const buffer = logon.password.utf16z();
  assert.deepEqual(buffer, utf16z(ONLINE_PASSWORD));
  logon.password.wipe();
  assert.ok(buffer.every((b) => b === 0), 'the buffer CreateProcessWithLogonW would read is all zeros');
  assert.throws(() => logon.password.utf16z(), /wiped/);
});

test('a hundred loads (and failed loads) leave the handle count where it was', { skip, timeout: 120_000 }, async () => {
  const good = await newSetup();
  const bad = scratch.make();
  bad.writeMarker(marker());
  bad.writeUsers(users(Buffer.from('not a blob').toString('base64'), Buffer.from('nor this').toString('base64')));
  const round = async () => {
    const logon = await loadSandboxLogon(good.home, { networkRestricted: true });
    logon.password.wipe();
    await loadSandboxLogon(bad.home, { networkRestricted: false }).catch(() => {});
  };
  for (let i = 0; i < 10; i++) await round();
  const before = processHandleCount();
  for (let i = 0; i < 100; i++) await round();
  const after = processHandleCount();
  assert.equal(after, before, `handle count went from ${before} to ${after}`);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
