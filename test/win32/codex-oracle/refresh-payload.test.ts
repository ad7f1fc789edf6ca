// §5: the refresh payload as each fetched release's own setup helper parses it, under Wine. The field
// set is read from the helper (setup-helper-shape.ts), real_user is the token's DOMAIN\user, and the
// module's own SandboxRefreshes.run launches it. A good parse gets to the helper's SID/group step, which
// fails here (Wine has no CodexSandboxUsers group or sandbox accounts): `helper_sid_resolve_failed` in
// <home>/.sandbox/setup_error.json. A parse failure says "failed to parse payload json" on stderr and
// writes no report (the control below shows the helper does tell the two apart).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { currentSetupUser } from '../../../src/os/win32/current-user';
import { ARGUMENT_LIMIT_UNITS, helperLaunch } from '../../../src/main/codex/sandbox-prep/helper-launch';
import { encodePayload, payloadForHelper, refreshPayload, type RefreshPayload } from '../../../src/main/codex/sandbox-prep/refresh-payload';
import { SandboxRefreshError, SandboxRefreshes, setupErrorFile } from '../../../src/main/codex/sandbox-prep/sandbox-refresh';
import { setupHelperShape, type SetupHelperShape } from '../../../src/main/codex/sandbox-prep/setup-helper-shape';
import { codexRelease, codexReleases, type ReleaseShape } from '../../helpers/codex-releases';
import { skipUnlessWindows as skip } from '../win32-test-support';

/** Fields per release, as the binaries' serde strings say (and only 0.171.0 has the environment transport). */
const EXPECTED_FIELDS: Record<ReleaseShape, number> = { 'v1-early': 10, v1: 13, v2: 15, v3: 15, v4: 15, v5: 15, 'v6-A': 15, 'v6-B': 17 };

interface HelperRun {
  code: number | null;
  stderr: string;
}

/** The helper started directly with its stderr kept: for the controls that must see the parse error text. */
function runHelper(helper: string, args: string[], env: NodeJS.ProcessEnv): Promise<HelperRun> {
  const child = spawn(helper, args, { stdio: ['ignore', 'ignore', 'pipe'], env, windowsHide: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

async function refreshFails(helper: string, home: string, payload: Record<string, unknown>, shape: SetupHelperShape, baseEnv: NodeJS.ProcessEnv = process.env): Promise<SandboxRefreshError> {
  const payloadBase64 = encodePayload(payload);
  const launch = helperLaunch(payloadBase64, shape, baseEnv);
  // A fresh owner each time: nothing remembered from an earlier run.
  const err = await new SandboxRefreshes().run({ helper, codexHome: home, payloadBase64, launch, signal: new AbortController().signal, timeoutMs: 120_000 }).then(
    () => assert.fail('the refresh cannot succeed under Wine (no CodexSandboxUsers group)'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SandboxRefreshError, String(err));
  return err;
}

describe('the refresh payload, parsed by each release\'s own setup helper', { skip, timeout: 600_000 }, () => {
  let root: string;
  let realUser: string;
  before(async () => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-oracle-payload-')));
    realUser = await currentSetupUser();
  });
  after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));

  function homeAndWork(name: string): { home: string; work: string } {
    const home = path.join(root, name, 'home');
    const work = path.join(root, name, 'work');
    mkdirSync(home, { recursive: true });
    mkdirSync(path.join(work, '.git'), { recursive: true });
    return { home, work };
  }

  async function payloadFor(home: string, work: string): Promise<RefreshPayload> {
    return refreshPayload({ codexHome: home, cwd: work, writeRoots: [work], workspaceRoots: [work], readsRoot: false, realUser, userProfile: process.env.USERPROFILE! });
  }

  for (const r of process.platform === 'win32' ? codexReleases() : []) {
    test(`${r.release}: its field set, real_user DOMAIN\\user, parsed: the helper gets to its SID step`, async () => {
      const shape = await setupHelperShape(r.setupHelper);
      assert.equal(shape.fields.length, EXPECTED_FIELDS[r.shape]);
      assert.equal(shape.envTransport, r.release === '0.171.0');
      assert.match(realUser, /^[^\\]+\\[^\\]+$/);
      const { home, work } = homeAndWork(`r${r.release}`);
      const payload = payloadForHelper(await payloadFor(home, work), shape);
      assert.deepEqual(Object.keys(payload), [...shape.fields]);
      const err = await refreshFails(r.setupHelper, home, payload, shape);
      assert.equal(err.helperCode, 'helper_sid_resolve_failed', err.message);
      assert.match(err.message, /LookupAccountNameW failed for CodexSandbox(Users|Offline): 1332/);
    });
  }

  test('control: a payload without one of the release\'s fields is refused at the parse, with no report', async () => {
    const r = codexRelease('0.171.0');
    const shape = await setupHelperShape(r.setupHelper);
    const { home, work } = homeAndWork('control');
    const payload = payloadForHelper(await payloadFor(home, work), shape);
    delete payload.real_user;
    const run = await runHelper(r.setupHelper, [encodePayload(payload)], process.env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /failed to parse payload json: missing field `real_user`/);
    assert.equal(existsSync(setupErrorFile(home)), false);
  });

  test('0.171.0: above 24,000 units the payload goes through --launch-payload-env, and an inherited CODEX_SANDBOX_LAUNCH_ variable is dropped', async () => {
    const r = codexRelease('0.171.0');
    const shape = await setupHelperShape(r.setupHelper);
    const { home, work } = homeAndWork('large');
    const roots: string[] = [];
    for (let i = 0; i < 220; i++) {
      const dir = path.join(work, `write-root-${String(i).padStart(3, '0')}-${'x'.repeat(72)}`);
      mkdirSync(dir);
      roots.push(dir);
    }
    const full = await refreshPayload({ codexHome: home, cwd: work, writeRoots: roots, workspaceRoots: [work], readsRoot: false, realUser, userProfile: process.env.USERPROFILE! });
    const payload = payloadForHelper(full, shape);
    const encoded = encodePayload(payload);
    assert.ok(encoded.length > ARGUMENT_LIMIT_UNITS, `${encoded.length} units`);
    const stray = { ...process.env, CODEX_SANDBOX_LAUNCH_STRAY: 'left by a parent' };
    const launch = helperLaunch(encoded, shape, stray);
    assert.equal(launch.transport, 'environment');
    assert.deepEqual(launch.args, ['--launch-payload-env']);

    // Control: the helper refuses the transport with the stray variable in it (so the scrub matters).
    const unscrubbed = await runHelper(r.setupHelper, launch.args, { ...launch.env, CODEX_SANDBOX_LAUNCH_STRAY: 'left by a parent' });
    assert.notEqual(unscrubbed.code, 0);
    assert.match(unscrubbed.stderr, /unexpected sandbox launch environment variables/);

    const err = await refreshFails(r.setupHelper, home, payload, shape, stray);
    assert.equal(err.helperCode, 'helper_sid_resolve_failed', err.message);
    // The helper read it all: its report is about the sandbox group, not the payload.
    assert.doesNotMatch(readFileSync(path.join(home, '.sandbox', readdirLog(home)), 'utf8'), /failed to parse payload json|sandbox launch/);
  });
});

function readdirLog(home: string): string {
  const logs = readdirSync(path.join(home, '.sandbox')).filter((f) => f.endsWith('.log'));
  assert.equal(logs.length, 1, `one log in ${home}\\.sandbox: ${logs.join(', ')}`);
  return logs[0]!;
}
