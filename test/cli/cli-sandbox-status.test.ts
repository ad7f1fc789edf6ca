// `codex-runner-ipc sandbox status` through the real bin: --json's exact shape, exit 0 when ready,
// 3 otherwise; the text form names the state, each reason and the install. And `doctor` shows the
// install (every place looked) and the readiness.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { codexHomeScratch, marker, users } from '../helpers/codex-home-fixture';
import { posixOnly } from '../helpers/platform';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');
const scratch = codexHomeScratch('cli-sandbox-status');
after(() => scratch.dispose());
const BLOB = Buffer.from('blob').toString('base64');

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function install(): string {
  const root = path.join(scratch.make().home, 'codex');
  mkdirSync(path.join(root, 'codex-resources'), { recursive: true });
  writeFileSync(path.join(root, 'codex-resources', 'codex-windows-sandbox-setup.exe'), 'x');
  writeFileSync(path.join(root, 'codex-resources', 'codex-command-runner.exe'), 'x');
  return root;
}

test('--json on a fresh home: {"state","reasons":[{code,message}]} only, exit 3', async () => {
  const f = scratch.make();
  const r = await cli(['sandbox', 'status', '--codex-home', f.home, '--codex-install', install(), '--json']);
  assert.equal(r.code, 3, r.stderr);
  const parsed = JSON.parse(r.stdout) as { state: string; reasons: Array<{ code: string; message: string }> };
  assert.deepEqual(Object.keys(parsed), ['state', 'reasons']);
  assert.equal(parsed.state, 'not_configured');
  assert.deepEqual(parsed.reasons.map((x) => Object.keys(x)), [['code', 'message'], ['code', 'message']]);
  assert.deepEqual(parsed.reasons.map((x) => x.code), ['marker_missing', 'users_missing']);
});

test('a ready home: exit 0, and the text form names the state and the install', { skip: posixOnly("the fixture's accounts exist only in its files, and Windows checks them") }, async () => {
  const f = scratch.make();
  f.writeMarker(marker());
  f.writeUsers(users(BLOB, BLOB));
  const root = install();
  const json = await cli(['sandbox', 'status', '--codex-home', f.home, '--codex-install', root, '--json']);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { state: 'ready', reasons: [] });
  const text = await cli(['sandbox', 'status', '--codex-home', f.home, '--codex-install', root]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, new RegExp(`^codex sandbox in ${f.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ready\n  install: ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(explicit; codexInstall option\\)`));
});

test('update_required: exit 3 with the reason; unknown options are usage errors (exit 2)', async () => {
  const f = scratch.make();
  f.writeMarker(marker(4));
  f.writeUsers(users(BLOB, BLOB));
  const r = await cli(['sandbox', 'status', '--codex-home', f.home, '--codex-install', install()]);
  assert.equal(r.code, 3);
  assert.match(r.stdout, /: update_required\n {2}marker_version: .*setup version 4, not 5/);
  assert.equal((await cli(['sandbox', 'status', '--nope'])).code, 2);
  assert.equal((await cli(['sandbox', 'frobnicate'])).code, 2);
});

test('doctor lists the install with every place looked, and the readiness', { skip: posixOnly('expects POSIX paths in the report; test/win32/doctor.test.ts checks the Windows one') }, async () => {
  const f = scratch.make();
  const root = install();
  const r = await cli(['doctor', '--codex-home', f.home, '--codex-install', root, '--json']);
  const report = JSON.parse(r.stdout) as { steps: Array<{ name: string; ok: boolean | null; detail: string; looked?: string[] }> };
  const installStep = report.steps.find((s) => s.name === 'codex install')!;
  assert.match(installStep.detail, new RegExp(`^explicit at ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(codexInstall option\\); runner .*codex-command-runner\\.exe; setup helper .*codex-windows-sandbox-setup\\.exe \\(\\d+ places? looked, listed below\\)`));
  assert.equal(installStep.looked?.[0], root, 'the places looked are the step\'s data');
  const readiness = report.steps.find((s) => s.name === 'sandbox readiness')!;
  assert.match(readiness.detail, /^not_configured; marker_missing: .*; users_missing: /);
  // No install anywhere: the step counts the places, lists them as data, and the report prints them.
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}` };
  const none = await cli(['doctor', '--codex-home', f.home, '--json'], env);
  const noneStep = (JSON.parse(none.stdout) as typeof report).steps.find((s) => s.name === 'codex install')!;
  assert.match(noneStep.detail, /^not found \(\d+ places? looked, listed below\)/);
  assert.equal(noneStep.looked?.[0], path.join(path.dirname(process.execPath), 'codex'));
  const text = await cli(['doctor', '--codex-home', f.home], env);
  assert.ok(text.stdout.includes(`       looked:\n         ${path.join(path.dirname(process.execPath), 'codex')}\n`), text.stdout);
});
