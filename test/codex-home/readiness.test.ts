// Readiness decided as codex decides to run its setup, on codex homes made for each reason. The file
// reasons and the helper run through sandboxReadiness itself; the account reasons (which need
// Windows' NetUserGetInfo, run for real under Wine in test/win32/net-user.test.ts) go through the
// decision with the flags NetUserGetInfo would give.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decideReadiness, sandboxReadiness, type ReadinessFacts } from '../../src/main/codex/home/readiness';
import { SETUP_VERSION } from '../../src/main/codex/home/setup-version';
import { UF_ACCOUNTDISABLE, UF_PASSWORD_EXPIRED } from '../../src/os/win32/net-user';
import { codexHomeScratch, marker, OFFLINE, ONLINE, users } from '../helpers/codex-home-fixture';
import { posixOnly } from '../helpers/platform';

// On Windows the accounts are checked for real, and the fixture's exist only in its files.
const noAccountCheck = posixOnly("the fixture's accounts exist only in its files, and Windows checks them (test/win32/net-user.test.ts does, with real ones)");

const scratch = codexHomeScratch('readiness');
after(() => scratch.dispose());

const BLOB = Buffer.from('not a real DPAPI blob').toString('base64');

/** A codex install holding the setup helper, named by the codexInstall option. */
function installWithHelper(): string {
  const f = scratch.make();
  const root = path.join(f.home, 'install');
  mkdirSync(path.join(root, 'codex-resources'), { recursive: true });
  writeFileSync(path.join(root, 'codex-resources', 'codex-windows-sandbox-setup.exe'), 'x');
  return root;
}
const install = installWithHelper();
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

test('SETUP_VERSION is 5 (0.150-0.171)', () => assert.equal(SETUP_VERSION, 5));

test('a fresh home: not_configured, the marker and users file missing (as codex.exe logs "marker missing")', async () => {
  const f = scratch.make();
  const r = await sandboxReadiness({ codexHome: f.home, codexInstall: install });
  assert.equal(r.state, 'not_configured');
  assert.deepEqual(codes(r), ['marker_missing', 'users_missing']);
  assert.match(r.reasons[0]!.message, /setup_marker\.json is missing/);
  assert.equal(r.setupHelper, path.join(install, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
});

test('an empty marker and no users file (what codex.exe 0.171.0 leaves after its setup failed, under Wine) is still not_configured', async () => {
  const f = scratch.make();
  f.writeRaw(f.markerFile, '');
  const r = await sandboxReadiness({ codexHome: f.home, codexInstall: install });
  assert.equal(r.state, 'not_configured');
  assert.deepEqual(codes(r), ['marker_missing', 'users_missing']);
  assert.match(r.reasons[0]!.message, /setup_marker\.json is empty \(a setup that did not finish leaves it so\): the sandbox was never set up/);
});

test('a set-up home is ready (accounts not checked off Windows, and said so)', { skip: noAccountCheck }, async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(BLOB, BLOB));
  const r = await sandboxReadiness({ codexHome: f.home, codexInstall: install });
  assert.deepEqual({ state: r.state, reasons: r.reasons }, { state: 'ready', reasons: [] });
  if (process.platform !== 'win32') assert.match(r.notes!.join('\n'), /sandbox accounts not checked/);
});

test('each file reason on a home made for it: update_required with that reason', { skip: noAccountCheck }, async () => {
  const cases: Array<[string, (f: ReturnType<typeof scratch.make>) => void, string[]]> = [
    ['marker unparseable', (f) => { f.writeRaw(f.markerFile, '{"version": 5, '); f.writeUsers(users(BLOB, BLOB)); }, ['marker_unreadable']],
    ['marker empty, users file there', (f) => { f.writeRaw(f.markerFile, ''); f.writeUsers(users(BLOB, BLOB)); }, ['marker_missing']],
    ['marker of setup version 4', (f) => { f.writeMarker(marker(4)); f.writeUsers(users(BLOB, BLOB)); }, ['marker_version']],
    ['users file missing', (f) => f.writeMarker(marker()), ['users_missing']],
    ['users file unparseable', (f) => { f.writeMarker(marker()); f.writeRaw(f.usersFile, 'nope'); }, ['users_unreadable']],
    ['users file of setup version 2 (the legacy place)', (f) => { f.writeMarker(marker()); f.writeUsers(users(BLOB, BLOB, 2), 'legacy'); }, ['users_version']],
    ['users file naming other accounts', (f) => { f.writeMarker(marker(5, { offline_username: 'Someone' })); f.writeUsers(users(BLOB, BLOB)); }, ['users_mismatch']],
    ['offline proxy settings changed', (f) => { f.writeMarker(marker(5, { proxy_ports: [8080] })); f.writeUsers(users(BLOB, BLOB)); }, ['proxy_settings_changed']],
    ['local binding changed', (f) => { f.writeMarker(marker(5, { allow_local_binding: true })); f.writeUsers(users(BLOB, BLOB)); }, ['proxy_settings_changed']],
  ];
  for (const [name, make, expected] of cases) {
    const f = scratch.make();
    make(f);
    const r = await sandboxReadiness({ codexHome: f.home, codexInstall: install });
    assert.equal(r.state, 'update_required', name);
    assert.deepEqual(codes(r), expected, name);
  }
});

test('proxy settings: compared only for the offline identity, as sets, against the wanted ones', { skip: noAccountCheck }, async () => {
  const f = scratch.make();
  f.writeMarker(marker(5, { proxy_ports: [9000, 8080, 8080] }));
  f.writeUsers(users(BLOB, BLOB));
  assert.equal((await sandboxReadiness({ codexHome: f.home, codexInstall: install, networkRestricted: false })).state, 'ready');
  assert.equal((await sandboxReadiness({ codexHome: f.home, codexInstall: install, proxyPorts: [8080, 9000] })).state, 'ready');
  const r = await sandboxReadiness({ codexHome: f.home, codexInstall: install, proxyPorts: [8080] });
  assert.deepEqual(codes(r), ['proxy_settings_changed']);
  assert.match(r.reasons[0]!.message, /set up: proxy ports \[8080, 9000\].*wanted: \[8080\]/);
});

test('no helper anywhere: helper_missing, with every place looked; a bad codexInstall: install_unsupported', { skip: noAccountCheck }, async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(BLOB, BLOB));
  const saved = process.env.PATH;
  process.env.PATH = '';
  try {
    const r = await sandboxReadiness({ codexHome: f.home });
    assert.equal(r.state, 'update_required');
    assert.deepEqual(codes(r), ['helper_missing']);
    const reason = r.reasons[0]!;
    assert.match(reason.message, /^codex's sandbox setup helper codex-windows-sandbox-setup\.exe was not found in codex's install \(none was found: .*\), \.sandbox-bin or PATH \(\d+ places? looked; `codex-runner-ipc doctor` lists them\); .*install codex/);
    assert.ok(reason.looked?.includes(path.join(f.home, '.sandbox-bin', 'codex-windows-sandbox-setup.exe')), 'the places are data on the reason');
    assert.equal(reason.message.includes(f.home), false, 'the message does not list them');
  } finally {
    process.env.PATH = saved;
  }
  const bad = await sandboxReadiness({ codexHome: f.home, codexInstall: path.join(f.home, 'nowhere') });
  assert.deepEqual(codes(bad), ['install_unsupported']);
});

test("an install already resolved (the session's) is taken as it is: nothing is looked up again", async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(BLOB, BLOB));
  const helper = path.join(install, 'codex-resources', 'codex-windows-sandbox-setup.exe');
  const given = { lookup: { install: { kind: 'explicit' as const, root: install, setupHelper: helper, foundBy: 'test' }, looked: [], notes: ['from the session'] } };
  // codexInstall names nothing: were it looked up, the reason would be install_unsupported.
  const r = await sandboxReadiness({ codexHome: f.home, codexInstall: path.join(f.home, 'nowhere'), install: given });
  assert.equal(r.setupHelper, helper);
  assert.equal(r.install, given.lookup.install);
  assert.ok(r.notes?.includes('from the session'));
  const { CodexInstallError } = await import('../../src/main/codex/install/codex-install-error');
  const unsupported = await sandboxReadiness({ codexHome: f.home, install: { error: new CodexInstallError('registered-runtime', 'registered', 'HKLM\\X', ['a', 'b']) } });
  assert.deepEqual(unsupported.reasons.map((x) => [x.code, x.looked]), [['install_unsupported', ['a', 'b']]]);
});

test('a fresh home with no helper either: still not_configured, with all three reasons', async () => {
  const f = scratch.make();
  const r = await sandboxReadiness({ codexHome: f.home, setupHelper: path.join(f.home, 'absent.exe') });
  assert.equal(r.state, 'not_configured');
  assert.deepEqual(codes(r), ['marker_missing', 'users_missing', 'helper_missing']);
});

test('accounts (the flags NetUserGetInfo gives): missing, disabled, password expired; a read error is not held against readiness, as upstream', () => {
  const base: ReadinessFacts = {
    marker: { ok: { version: 5, offlineUsername: OFFLINE, onlineUsername: ONLINE, createdAt: null, proxyPorts: [], allowLocalBinding: false } },
    users: { ok: { version: 5, offline: { username: OFFLINE, password: BLOB }, online: { username: ONLINE, password: BLOB } }, file: 'users.json' },
    markerFile: 'marker.json',
    helper: { found: 'helper.exe' },
    networkRestricted: true,
    proxyPorts: [],
    allowLocalBinding: false,
  };
  const decide = (accounts: ReadinessFacts['accounts']) => decideReadiness({ ...base, ...(accounts ? { accounts } : {}) });
  assert.deepEqual(decide({ [OFFLINE]: 0x201, [ONLINE]: 0x10201 }), { state: 'ready', reasons: [] });
  assert.deepEqual(codes(decide({ [OFFLINE]: null, [ONLINE]: 0x201 })), ['account_missing']);
  assert.deepEqual(codes(decide({ [OFFLINE]: 0x201 | UF_ACCOUNTDISABLE, [ONLINE]: 0x201 | UF_PASSWORD_EXPIRED })), ['account_disabled', 'password_expired']);
  assert.equal(decide({ [OFFLINE]: null, [ONLINE]: null }).state, 'update_required');
  assert.deepEqual(decide({ [OFFLINE]: { error: 'status 5' }, [ONLINE]: 0x201 }), { state: 'ready', reasons: [] });
  // As upstream: accounts count only once the files are good.
  assert.deepEqual(codes(decideReadiness({ ...base, marker: { missing: 'm' }, accounts: { [OFFLINE]: null } })), ['marker_missing']);
});
