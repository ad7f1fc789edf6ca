// §6 under Wine: the first command with DEFAULT options only (`runner: 'codex'`, `codexHome`,
// `permissions: 'workspace-write'`; no setupHelper, no sandbox: 'current', no refresh switch), with
// codex installed as npm lays it out (scripts/wine/codex-install.sh) and its prefix on PATH, and codex's
// own parent, codex.exe from that install, run on the same machine as the oracle. Each codex.exe run
// takes seconds under Wine: there are four. Wine has no local groups or sandbox accounts, so codex's
// setup cannot succeed here: what is compared is where each side stops and with which code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findCodexInstall } from '../../../src/main/codex/install/find-codex-install';
import { sandboxReadiness, type ReadinessCode, type SandboxReadiness } from '../../../src/main/codex/home/readiness';
import { SandboxNotReadyError } from '../../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { setupSandbox } from '../../../src/main/codex/sandbox-setup/setup-sandbox';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { Session, SessionResult } from '../../../src/main/session/session';
import { collect } from '../../helpers/sessions';
import type { NpmCodexInstall } from '../../helpers/codex-install';
import { skipUnlessWindows as skip } from '../win32-test-support';
import { codexSandboxEcho, putCodexOnPath, sandboxLogs, setupErrorReport } from './codex-exe';
import { freshHome, readyHome } from './homes';

/** What codex.exe logs when its marker is missing or at another version (identity.rs). */
const CODEX_MARKER_REASON = 'sandbox setup required: sandbox setup marker missing or incompatible';
const CODEX_ACCOUNT_REASON = 'sandbox setup required: sandbox account is missing, disabled, or password expired';

const codes = (r: SandboxReadiness) => r.reasons.map((x) => x.code);

describe('the first run on Windows with default options, against codex.exe', { skip, timeout: 600_000 }, () => {
  let install: NpmCodexInstall;
  let root: string;
  let work: string;
  let manager: SessionManager;

  before(() => {
    install = putCodexOnPath();
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-oracle-first-run-')));
    work = path.join(root, 'work');
    mkdirSync(work);
    manager = new SessionManager({ defaults: { timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 } } });
  });
  after(async () => {
    await manager.dispose();
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  /** The README's Windows example: nothing but the defaults and the codex home. */
  async function defaultSession(codexHome: string): Promise<{ result: SessionResult; status: ReturnType<Session['status']> }> {
    const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], cwd: work, runner: { kind: 'codex', codexHome }, permissions: 'workspace-write' });
    const { result } = await collect(session);
    return { result, status: session.status() };
  }

  test('the install is found from PATH as npm laid it out', async () => {
    const found = await findCodexInstall({});
    assert.ok(found.install, `looked: ${found.looked.join(', ')}`);
    assert.equal(found.install.kind, 'npm');
    assert.equal(found.install.codexExe?.toLowerCase(), install.codexExe.toLowerCase());
    assert.equal(found.install.setupHelper?.toLowerCase(), install.setupHelper.toLowerCase());
    assert.equal(found.install.release, install.release);
  });

  test('fresh home: not_configured with the marker reason codex.exe logs; setupSandbox runs the install\'s helper and ends with the report of codex.exe\'s own attempt', async () => {
    // The oracle: codex.exe's elevated sandbox on a fresh home of its own.
    const oracle = freshHome(root, 'fresh-codex');
    const run = await codexSandboxEcho(install, oracle.home, work, 'elevated');
    assert.notEqual(run.code, 0);
    assert.ok(sandboxLogs(oracle.home).includes(CODEX_MARKER_REASON), sandboxLogs(oracle.home));
    const codexReport = setupErrorReport(oracle.home);

    const mine = freshHome(root, 'fresh-module');
    const readiness = await sandboxReadiness({ codexHome: mine.home });
    assert.equal(readiness.state, 'not_configured');
    assert.ok(codes(readiness).includes('marker_missing'), JSON.stringify(readiness));

    const setup = await setupSandbox({ codexHome: mine.home });
    assert.equal(setup.outcome, 'failed');
    assert.equal(setup.code, codexReport.code, `module: ${setup.code}: ${setup.message}; codex.exe: ${codexReport.code}: ${codexReport.message}`);
    assert.equal(setup.message, codexReport.message);
    assert.deepEqual(setupErrorReport(mine.home), codexReport, 'the same helper wrote the same report');
    // The helper leaves an empty setup_marker.json behind when it fails, for codex.exe as for the
    // module: the home needs setup still (upstream reads an unparseable marker as a missing one).
    for (const h of [oracle, mine]) assert.equal(statSync(h.markerFile).size, 0, h.markerFile);
    assert.notEqual(setup.readiness.state, 'ready');
    assert.ok(codes(setup.readiness).some((c) => c.startsWith('marker_')), JSON.stringify(setup.readiness));
  });

  test('fresh home: a default session fails with the typed error naming setup, before preparing anything', async () => {
    const mine = freshHome(root, 'fresh-session');
    const session = await defaultSession(mine.home);
    assert.equal(session.result.state, 'failed');
    const error = session.result.error;
    assert.ok(error instanceof SandboxNotReadyError, String(error));
    assert.equal(error.code, 'sandbox_not_ready');
    assert.equal(error.readiness.state, 'not_configured');
    assert.match(error.message, /setupSandbox/);
    assert.equal(existsSync(path.join(mine.home, 'cap_sid')), false, 'nothing was prepared before the readiness check');
  });

  test('ready home: the default session runs the setup helper\'s refresh from the install and fails at preparing_sandbox with the helper\'s own code', async () => {
    const ready = await readyHome(root, 'ready');
    const readiness = await sandboxReadiness({ codexHome: ready.home });
    assert.deepEqual([readiness.state, readiness.reasons], ['ready', []]);
    const { result, status } = await defaultSession(ready.home);
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.stage, 'preparing_sandbox', result.error?.message);
    // The 0.171.0 helper parsed the refresh payload and stopped at the sandbox group (Wine has none).
    assert.match(result.error!.message, /helper_sid_resolve_failed: resolve sandbox users group SID failed: LookupAccountNameW failed for CodexSandboxUsers: 1332/);
    assert.deepEqual(setupErrorReport(ready.home).code, 'helper_sid_resolve_failed');
    // codex's helper itself wrote it (its own log line), in refresh mode: a provisioning run would have
    // stopped at creating the group (helper_users_group_create_failed), as setup does above.
    assert.match(sandboxLogs(ready.home), /codex-windows-sandbox-setup\.exe\] setup error: helper_sid_resolve_failed/);
    assert.equal(status.state, 'failed');
    assert.ok(existsSync(path.join(ready.home, 'cap_sid')), 'the capability SIDs were saved before the refresh');
  });

  // Homes made for each reason that needs Win32 to decide (the accounts) or that codex.exe reports in
  // its own words; the whole decision table is unit-tested on Linux (test/codex-home/readiness.test.ts).
  const cases: Array<{ name: string; make: (dir: string) => Promise<string>; state: SandboxReadiness['state']; code: ReadinessCode; codexLogs: string }> = [
    {
      name: 'a marker of another setup version',
      make: async (dir) => (await readyHome(root, dir, { marker: { version: 4 } })).home,
      state: 'update_required',
      code: 'marker_version',
      codexLogs: CODEX_MARKER_REASON,
    },
    {
      name: 'no users file beside a good marker',
      make: async (dir) => {
        const h = await readyHome(root, dir);
        rmSync(h.usersFile);
        return h.home;
      },
      state: 'update_required',
      code: 'users_missing',
      codexLogs: 'sandbox setup required: sandbox users missing or incompatible with marker version',
    },
    {
      name: 'sandbox accounts that do not exist on this machine',
      make: async (dir) => (await readyHome(root, dir, { accounts: { offline: 'CodexSandboxOffline', online: 'CodexSandboxOnline' } })).home,
      state: 'update_required',
      code: 'account_missing',
      codexLogs: CODEX_ACCOUNT_REASON,
    },
  ];
  for (const [i, c] of cases.entries()) {
    test(`readiness on a home with ${c.name}: ${c.state} (${c.code}); codex.exe, on a home made the same way, logs that it must set up again`, async () => {
      const mine = await c.make(`reason-${i}-module`);
      const readiness = await sandboxReadiness({ codexHome: mine });
      assert.equal(readiness.state, c.state, JSON.stringify(readiness));
      assert.ok(codes(readiness).includes(c.code), JSON.stringify(readiness));
      // codex.exe changes the home it is given (it deletes the users file on an account problem): its own copy.
      const theirs = await c.make(`reason-${i}-codex`);
      const run = await codexSandboxEcho(install, theirs, work, 'elevated');
      assert.notEqual(run.code, 0);
      assert.ok(sandboxLogs(theirs).includes(c.codexLogs), sandboxLogs(theirs));
    });
  }
});
