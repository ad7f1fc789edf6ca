// The panel end to end: real sessions, real runner, real sockets, real browser. Each session's
// script carries a marker comment so its card can be found by its accessible name (the command).
import * as path from 'node:path';
import type * as DemoModule from '../examples/electron-demo/demo-sessions';
import type { RunnerPipesApi } from '../electron/common/ipc-contract';
import { expect, test } from './fixtures';
import { repoRoot, requireBuilt } from './harness/repo-paths';

declare global {
  interface Window {
    runnerPipes?: RunnerPipesApi;
  }
}

const PIPE_IN = /codex-runner-[0-9a-f]+[-/]in$/;
const PIPE_OUT = /codex-runner-[0-9a-f]+[-/]out$/;
const windows = process.platform === 'win32';
/** What the main process (both projects run this project's runner, opted in) says about the default profile. */
const POLICY_NOTE = windows
  ? "not enforced: this project's runner runs it as its own account (allowUnenforcedPolicy)"
  : "not enforced: this project's runner runs commands as the current user (no sandbox on Linux/macOS)";
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('an empty manager shows the empty state', async ({ openPanel }) => {
  const page = await openPanel([]);
  await expect(page.getByRole('heading', { name: 'No sessions yet' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('No sessions');
});

test('a session shows its pipes, reaches running, counts bytes and ends exited with its code', async ({ openPanel }) => {
  // 30 lines, 100 ms apart: "line 1\n".."line 30\n" is 9*7 + 21*8 = 231 bytes; then exit code 7.
  const page = await openPanel([{ script: "/*counting*/let n=0;const t=setInterval(()=>{console.log('line '+(++n));if(n===30){clearInterval(t);process.exitCode=7}},100)" }]);
  const card = page.getByRole('listitem', { name: /counting/ });
  await expect(card.locator('.pipe-name').nth(0)).toHaveText(PIPE_IN);
  await expect(card.locator('.pipe-name').nth(1)).toHaveText(PIPE_OUT);
  await expect(card.locator('.timeline .stage-running')).toBeVisible();

  const stdoutBytes = async () => Number(await card.locator('tr[data-stream="stdout"] td.bytes').getAttribute('data-bytes'));
  await expect.poll(stdoutBytes).toBeGreaterThan(0);
  const seen = await stdoutBytes();
  await expect.poll(stdoutBytes).toBeGreaterThan(seen);

  await expect(card).toHaveAttribute('data-state', 'exited', { timeout: 30_000 });
  await expect(card.getByLabel('state: exited 7')).toBeVisible();
  await expect(card.locator('.kv', { hasText: 'exit code' }).locator('dd')).toHaveText('7');
  await expect(card.locator('.kv', { hasText: 'ended' }).locator('dd')).toHaveText('exited by itself');
  // The last push carries the final counters, however the updates were coalesced.
  expect(await stdoutBytes()).toBe(231);
  await expect(card.getByRole('button', { name: /Terminate/ })).toBeHidden();
  await expect(card.locator('.timeline .stage-exited')).toBeVisible();
});

test('terminate from the panel (keyboard) ends a running session', async ({ openPanel }) => {
  const page = await openPanel([{ script: '/*forever*/setInterval(()=>{},1000)' }]);
  const card = page.getByRole('listitem', { name: /forever/ });
  await expect(card).toHaveAttribute('data-state', 'running');
  const button = card.getByRole('button', { name: /Terminate session .*forever/ });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(card).toHaveAttribute('data-state', /^(exited|failed)$/);
  await expect(button).toBeHidden();
  await expect(card.locator('.kv', { hasText: 'child pid' }).locator('dd')).not.toHaveText('–');
  await expect(card.locator('.kv', { hasText: 'ended' }).locator('dd')).toHaveText(/^terminated from here/);
});

test('a runner that never connects shows the failed stage and the message in full', async ({ openPanel }) => {
  const page = await openPanel([{ script: '/*never-connects*/0', neverConnects: true, connectTimeoutMs: 1000 }]);
  const card = page.getByRole('listitem', { name: /never-connects/ });
  await expect(card).toHaveAttribute('data-state', 'failed');
  const alert = card.getByRole('alert');
  await expect(alert).toContainText('Failed at stage “connect pipe-in”');
  await expect(alert.locator('.failure-message')).toHaveText(/^runner did not connect to pipe-in within 1000 ms \(runner pid \d+ was still running; killed it\)$/);
  await expect(card.locator('.timeline .failed-here')).toHaveText(/connect pipe-in/);
  await expect(card.getByLabel('state: failed')).toBeVisible();
});

test('the bridge exposes exactly list, subscribe and terminate, and the listener gets the sessions, the pools and the readiness', async ({ openPanel }) => {
  const page = await openPanel([{ script: '/*bridge*/setTimeout(()=>{},200)' }]);
  const shape = await page.evaluate(() => {
    const api = window.runnerPipes as unknown as Record<string, unknown>;
    return {
      names: Object.getOwnPropertyNames(api).sort(),
      types: Object.values(api).map((v) => typeof v),
      bridgeGlobals: Object.getOwnPropertyNames(window).filter((k) => /runner|ipc|electron|require/i.test(k)),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    };
  });
  expect(shape).toEqual({ names: ['list', 'subscribe', 'terminate'], types: ['function', 'function', 'function'], bridgeGlobals: ['runnerPipes'], require: 'undefined', process: 'undefined' });

  // The panel already subscribed: a second subscriber gets the current state too.
  const delivery = await page.evaluate(
    () =>
      new Promise<{ argCount: number; arrays: boolean[]; sawBridgeSession: boolean; unsubscribeReturns: string }>((resolve) => {
        const off = window.runnerPipes!.subscribe((...args: unknown[]) => {
          const sessions = args[0] as { command: string[] }[];
          resolve({
            argCount: args.length,
            arrays: args.map((a) => Array.isArray(a)),
            sawBridgeSession: sessions.some((s) => s.command.join(' ').includes('/*bridge*/')),
            unsubscribeReturns: typeof off(),
          });
        });
      }),
  );
  expect(delivery).toEqual({ argCount: 3, arrays: [true, true, true], sawBridgeSession: true, unsubscribeReturns: 'undefined' });
  const listed = await page.evaluate(() => window.runnerPipes!.list().then((s) => s.map((x) => x.command.join(' '))));
  expect(listed.some((c) => c.includes('/*bridge*/'))).toBe(true);
});

test('a session card shows its sandbox policy as not enforced, and the pools line shows the warm runners', async ({ openPanel }, testInfo) => {
  const page = await openPanel([{ script: '/*policy*/setTimeout(()=>{},3000)' }]);
  const card = page.getByRole('listitem', { name: /policy/ });
  // This project's runner runs every session here: the policy is passed on, never applied.
  const policy = card.getByRole('note', { name: new RegExp(`^policy workspace-write — not enforced \\(this project's runner\\): ${escapeRegExp(POLICY_NOTE)}`) });
  await expect(policy).toBeVisible();
  await expect(policy).toHaveText(/^workspace-write — not enforced/);
  await expect(policy).toHaveClass(/\bnot-enforced\b/);
  const setup = card.getByRole('group', { name: 'runner setup' });
  await expect(setup.getByRole('term')).toHaveText(['protocol', 'policy', 'runner']);
  // The version was found by trying (the first session of this runner) or remembered (later ones).
  await expect(setup.getByRole('definition').nth(0)).toHaveText(/^v6 · (detected|remembered)/);
  await expect(setup.getByRole('definition').nth(2)).toHaveText(/^codex-command-runner\.js · bundled · cold/);
  if (testInfo.project.name === 'electron') {
    // The app keeps one warm runner per launch identity in use (examples/electron-demo/main.ts): the first
    // session's identity now has one, launched, connected and verified ahead of the next session.
    await expect(page.locator('#pools')).toHaveText('Warm runners: codex-command-runner.js: idle 1, starting 0');
  } else {
    // The harness's manager keeps no warm runners: the line is there and says so.
    await expect(page.locator('#pools')).toHaveText('Warm runners: none');
  }
});

test("the session runs over this platform's pipes: named pipes admitting one SID on Windows, owner-only sockets elsewhere", async ({ openPanel }) => {
  // In the electron project on Windows this is the proof that Electron's main process turns a
  // named pipe HANDLE into a Node stream (electron.exe exports libuv's uv_open_osfhandle).
  const page = await openPanel([{ script: "/*platform-pipes*/console.log('over the pipes');process.exitCode=5" }]);
  const card = page.getByRole('listitem', { name: /platform-pipes/ });
  await expect(card).toHaveAttribute('data-state', 'exited', { timeout: 30_000 });
  await expect(card.getByLabel('state: exited 5')).toBeVisible();
  const names = card.locator('.pipe-name');
  const access = card.locator('.access');
  if (windows) {
    await expect(names.nth(0)).toHaveText(/^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-in$/);
    await expect(names.nth(1)).toHaveText(/^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-out$/);
    // The DACL read back from the OS: GENERIC_ALL for the runner's account, nobody else.
    // (SDDL writes a well-known account by its two-letter alias, e.g. LA for the built-in Administrator.)
    const dacl = /^D:\(A;;GA;;;(S-1-5-[0-9-]+|[A-Z]{2})\)$/;
    await expect(access).toHaveText([dacl, dacl]);
  } else {
    await expect(names.nth(0)).toHaveText(/^\/.+\/codex-runner-[0-9a-f]{32}\/in$/);
    await expect(names.nth(1)).toHaveText(/^\/.+\/codex-runner-[0-9a-f]{32}\/out$/);
    await expect(access).toHaveText([/^unix socket mode 0600 uid \d+, directory mode 0700$/, /^unix socket mode 0600 uid \d+, directory mode 0700$/]);
  }
  // "over the pipes\n": 15 bytes came back through pipe-out.
  expect(Number(await card.locator('tr[data-stream="stdout"] td.bytes').getAttribute('data-bytes'))).toBe(15);
});

test('bad arguments are rejected with specific messages and leave the panel working', async ({ openPanel }) => {
  const page = await openPanel([{ script: '/*target*/setTimeout(()=>{},200)' }]);
  const outcomes = await page.evaluate(async () => {
    const api = window.runnerPipes as unknown as { terminate(...a: unknown[]): Promise<void>; subscribe(l: unknown): unknown };
    const attempt = async (f: () => unknown) => {
      try {
        await f();
        return 'resolved';
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };
    return {
      number: await attempt(() => api.terminate(42)),
      empty: await attempt(() => api.terminate('')),
      long: await attempt(() => api.terminate('x'.repeat(500))),
      unknown: await attempt(() => api.terminate('no-such-session')),
      object: await attempt(() => api.terminate({ id: 's1' })),
      missing: await attempt(() => api.terminate()),
      listener: await attempt(() => api.subscribe('not a function')),
    };
  });
  expect(outcomes.number).toMatch(/session id must be a string, got number/);
  expect(outcomes.empty).toMatch(/session id is empty/);
  expect(outcomes.long).toMatch(/session id is 500 characters, the limit is 128/);
  expect(outcomes.unknown).toMatch(/no session with id "no-such-session"/);
  expect(outcomes.object).toMatch(/session id must be a string, got object/);
  expect(outcomes.missing).toMatch(/session id must be a string, got undefined/);
  expect(outcomes.listener).toMatch(/listener must be a function/);
  // Nothing broke: the list still answers and the session is still shown.
  expect(await page.evaluate(() => window.runnerPipes!.list().then((s) => s.length))).toBe(1);
  await expect(page.getByRole('listitem', { name: /target/ })).toBeVisible();
});

test('screenshot of the panel with the sample sessions', async ({ openPanel }, testInfo) => {
  const { SAMPLE_DEMO_SESSIONS } = requireBuilt<typeof DemoModule>('examples', 'electron-demo', 'demo-sessions.js');
  const page = await openPanel(SAMPLE_DEMO_SESSIONS);
  await expect(page.locator('.card[data-state="failed"]')).toHaveCount(1);
  await expect(page.locator('.card[data-state="exited"]')).toHaveCount(1);
  await expect(page.locator('.card[data-state="running"]')).toHaveCount(2);
  // The README's picture comes from the Linux harness, and only when asked (UPDATE_PANEL_PNG=1), so
  // `npm test` leaves the tree clean; any other run's goes with the test results (and the HTML report).
  const updateReadmePicture = process.env.UPDATE_PANEL_PNG === '1' && testInfo.project.name === 'chromium-harness' && process.platform === 'linux';
  const file = updateReadmePicture ? path.join(repoRoot, 'docs', 'panel.png') : testInfo.outputPath(`panel-${testInfo.project.name}-${process.platform}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach('panel', { path: file, contentType: 'image/png' });
});

test("codex's sandbox readiness, read-only, for the codex home of sessions of codex's sandbox users (Windows only); none for this project's runner with a codexHome", async ({ openPanel }) => {
  const page = await openPanel([{ script: '/*plain*/setTimeout(()=>{},200)' }, { script: '/*codex-sandbox*/0', codexSandbox: true }]);
  // codex's sandbox was never set up in the codex home: the session fails before anything is launched.
  const codexCard = page.getByRole('listitem', { name: /codex-sandbox/ });
  await expect(codexCard).toHaveAttribute('data-state', 'failed');
  await expect(codexCard.getByRole('alert').locator('.failure-message')).toContainText('is not configured: marker_missing');
  await expect(page.getByRole('listitem', { name: /plain/ })).toHaveAttribute('data-state', 'exited');
  const readiness = page.getByRole('list', { name: 'Codex sandbox readiness' });
  const line = readiness.getByRole('listitem');
  if (!windows) {
    // No sandbox users off Windows: neither session gets a line (nothing is even read).
    await expect(readiness).toBeHidden();
    await expect(line).toHaveCount(0);
    return;
  }
  // One line: the codex session's home; the plain session in the same home adds none.
  await expect(line).toHaveCount(1);
  await expect(line).toHaveAttribute('data-state', 'not_configured');
  await expect(line).toHaveText(/^Codex sandbox in .+: not configured \(marker_missing, users_missing(, helper_missing)?\)$/);
  await expect(line).toHaveAttribute('title', /^marker_missing: codex's sandbox setup marker .*setup_marker\.json is missing/);
  await expect(readiness.getByRole('button')).toHaveCount(0);
});
