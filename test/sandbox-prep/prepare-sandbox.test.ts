// The preparation in a whole session (Linux): this package's runner stands in for codex's at the
// runner's seat (kind 'codex'), so what the preparation sends reaches a real command: the
// environment, the SIDs and the status; failures stop at preparing_sandbox before any launch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session, type SessionResult } from '../../src/main/session/session';
import { SessionManager } from '../../src/main/session/session-manager';
import type { SessionOptions } from '../../src/main/session/public-options';
import type { SessionConfig } from '../../src/main/session/session-options';
import { capSidFile } from '../../src/main/codex/sandbox-prep/cap-sid-file';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { BUNDLED_RUNNER } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('runs sh as the command');

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'prep-session-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  return { root, home, work };
}

/** A lone session (flat options), or one started through `manager` (whose sessions share its refreshes). */
async function run(options: SessionConfig): Promise<{ result: SessionResult; stdout: string; session: Session }>;
async function run(options: SessionOptions, manager: SessionManager): Promise<{ result: SessionResult; stdout: string; session: Session }>;
async function run(options: SessionConfig | SessionOptions, manager?: SessionManager): Promise<{ result: SessionResult; stdout: string; session: Session }> {
  const session = manager ? manager.start(options as SessionOptions) : new Session(options as SessionConfig);
  let stdout = '';
  session.stdout.on('data', (d: Buffer) => (stdout += d));
  session.stderr.resume();
  if (!manager) void session.start();
  return { result: await session.exited, stdout, session };
}

const asCodex = { exe: process.execPath, args: [BUNDLED_RUNNER], kind: 'codex' as const };

test("the command gets upstream's environment, cap_sid's SIDs are sent, and the status shows them", { skip }, async (t) => {
  const d = scratch(t);
  const { result, stdout, session } = await run({
    command: ['sh', '-c', 'printf "%s|%s|%s|%s" "$GIT_PAGER" "$PAGER" "$NULLISH" "$PATH"'],
    cwd: d.work,
    env: { NULLISH: '/dev/null', PATH: '/usr/bin:/bin' },
    runner: asCodex,
    codexHome: d.home,
    refreshSandbox: false,
  });
  assert.equal(result.error?.message, undefined);
  assert.equal(stdout, 'more.com|more.com|NUL|/usr/bin:/bin');
  const status = session.status();
  const caps = JSON.parse(readFileSync(capSidFile(d.home), 'utf8'));
  assert.ok(status.sandboxPrep?.capSids.includes(caps.workspace_by_cwd[d.work.toLowerCase()]), "the cwd's SID is sent");
  assert.equal(status.sandboxPrep?.capSids.length, 1 + Object.keys(caps.writable_root_by_path).length, 'and one per other write root');
  assert.equal(status.sandboxPrep?.capSidsFrom, capSidFile(d.home));
  assert.deepEqual([status.sandboxPrep?.desktop, status.sandboxPrep?.desktopNote, status.sandboxPrep?.refresh], [null, 'none: desktops exist only on Windows', 'off']);
  assert.deepEqual(status.stages.slice(0, 3).map((s) => s.stage), ['preparing', 'preparing_sandbox', 'creating_pipes']);
});

test('capSids: [] and a corrupt cap_sid fail at preparing_sandbox, before any pipe or runner', { skip }, async (t) => {
  const d = scratch(t);
  const empty = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home, refreshSandbox: false, capSids: [] });
  assert.equal(empty.result.error?.stage, 'preparing_sandbox');
  assert.match(empty.result.error?.message ?? '', /^capability SIDs: capSids is an empty list: codex's runner refuses to run without a capability SID \("runner: empty capability SID list"\); omit capSids/);
  assert.equal(empty.session.status().pipes.in, undefined);
  writeFileSync(capSidFile(d.home), '{"workspace":');
  const corrupt = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home, refreshSandbox: false });
  assert.equal(corrupt.result.error?.stage, 'preparing_sandbox');
  assert.match(corrupt.result.error?.message ?? '', new RegExp(`^capability SIDs: codex's capability SID file ${capSidFile(d.home).replaceAll('/', '\\/')} is not valid JSON`));
  assert.equal(corrupt.session.status().runnerPid, undefined);
  const given = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home, refreshSandbox: false, capSids: ['S-1-5-21-9-9-9-9'] });
  assert.equal(given.result.state, 'exited', 'a capSids option overrides the file (which is not read)');
  assert.deepEqual(given.session.status().sandboxPrep?.capSids, ['S-1-5-21-9-9-9-9']);
});

test('the refresh runs the setup helper once for the same roots per manager, and a missing helper is a preparing_sandbox failure saying where it looked', { skip }, async (t) => {
  const d = scratch(t);
  const missing = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home });
  assert.equal(missing.result.error?.stage, 'preparing_sandbox');
  assert.match(missing.result.error?.message ?? '', /^sandbox refresh: codex's sandbox setup helper codex-windows-sandbox-setup\.exe was not found in codex's install, beside the runner, \.sandbox-bin or PATH \(\d+ places? looked; `codex-runner-ipc doctor` lists them\)\. No codex install was found .*codexInstall \(CLI --codex-install PATH\).*refreshSandbox: false \(CLI --no-sandbox-refresh\)/);
  const looked = (missing.result.error?.cause as { looked?: string[] } | undefined)?.looked;
  assert.ok(looked?.includes(path.join(d.home, '.sandbox-bin', SETUP_HELPER_FILE)), `the places are data on the error's cause: ${looked}`);
  assert.equal((missing.result.error?.message ?? '').includes(d.home), false, 'the message does not list them');
  const runs = path.join(d.root, 'runs');
  const helper = path.join(d.home, '.sandbox-bin', SETUP_HELPER_FILE);
  writeFileSync(helper, standInHelper(runs));
  chmodSync(helper, 0o755);
  const manager = new SessionManager();
  t.after(() => manager.dispose());
  const first = await run({ command: ['true'], cwd: d.work, runner: { kind: 'codex', codexHome: d.home, spec: asCodex } }, manager);
  const second = await run({ command: ['true'], cwd: d.work, runner: { kind: 'codex', codexHome: d.home, spec: asCodex } }, manager);
  assert.deepEqual([first.result.state, second.result.state], ['exited', 'exited']);
  assert.deepEqual([first.session.status().sandboxPrep?.refresh, second.session.status().sandboxPrep?.refresh], ['ran', 'skipped']);
  const payloads = readFileSync(runs, 'utf8').trim().split('\n');
  assert.equal(payloads.length, 1);
  // A lone session owns its own refreshes: it runs the helper again.
  const lone = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home });
  assert.equal(lone.session.status().sandboxPrep?.refresh, 'ran');
  assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 2);
  const payload = JSON.parse(Buffer.from(payloads[0]!, 'base64').toString('utf8'));
  assert.equal(payload.command_cwd, d.work);
  assert.equal(payload.refresh_only, true);
  assert.ok(payload.write_roots.includes(d.work));
});

test("with sandbox 'current' the refresh is off unless asked for; the setupHelper option names the helper", { skip }, async (t) => {
  const d = scratch(t);
  const current = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home, sandbox: 'current' });
  assert.equal(current.result.state, 'exited', current.result.error?.message);
  assert.equal(current.session.status().sandboxPrep?.refresh, 'off');
  const runs = path.join(d.root, 'runs');
  const helper = path.join(d.root, 'elsewhere', 'my-setup-helper');
  mkdirSync(path.dirname(helper));
  writeFileSync(helper, standInHelper(runs));
  chmodSync(helper, 0o755);
  const asked = await run({ command: ['true'], cwd: d.work, runner: asCodex, codexHome: d.home, sandbox: 'current', refreshSandbox: true, setupHelper: helper });
  assert.equal(asked.result.state, 'exited', asked.result.error?.message);
  assert.equal(asked.session.status().sandboxPrep?.refresh, 'ran');
  assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 1);
});

/**
 * A stand-in for codex's setup helper (a Windows binary: it cannot run here) that records its
 * payload. Its text carries the marker the module reads a helper's payload shape from (0.171.0's
 * 17 fields); the real helpers' parses are in test/win32/codex-oracle/refresh-payload.test.ts.
 */
function standInHelper(runs: string): string {
  return `#!/bin/sh\n# struct Payload with 17 elements\necho "$1" >> '${runs}'\n`;
}
