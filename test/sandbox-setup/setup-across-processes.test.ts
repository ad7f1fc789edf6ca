// One setup per codex home across processes: two processes set up the same home at once; the
// helper (a real process, a shell script at the helper's name) never runs twice at the same time,
// and the one that waited says so (waiting_for_other_setup).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { SETUP_LOCK_FILE } from '../../src/main/codex/sandbox-setup/setup-lock';
import { marker, users } from '../helpers/codex-home-fixture';

const CHILD = path.resolve(__dirname, '..', 'fixtures', 'setup-in-child.js');

function runChild(home: string, helper: string): Promise<{ stages: string[]; outcome: string; code?: string }> {
  const child = spawn(process.execPath, [CHILD, home, helper], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${out}`)))));
}

test('two processes setting up one codex home: the helper runs one at a time, the second waits for the first', { skip: process.platform === 'win32' && 'a shell script stands in for the helper' }, async (t) => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'setup-procs-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const log = path.join(root, 'runs.log');
  const helper = path.join(root, SETUP_HELPER_FILE);
  writeFileSync(helper, `#!/bin/sh\necho "start $PPID" >> "${log}"\nsleep 0.5\necho "end $PPID" >> "${log}"\nexit 9\n`);
  chmodSync(helper, 0o755);
  const [a, b] = await Promise.all([runChild(home, helper), runChild(home, helper)]);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 4);
  // start X, end X, start Y, end Y: never two starts in a row.
  assert.match(lines[0]!, /^start /);
  assert.equal(lines[1], lines[0]!.replace('start', 'end'));
  assert.match(lines[2]!, /^start /);
  assert.equal(lines[3], lines[2]!.replace('start', 'end'));
  assert.notEqual(lines[0], lines[2]);
  const waited = [a, b].filter((r) => r.stages[0] === 'waiting_for_other_setup');
  assert.equal(waited.length, 1, JSON.stringify([a, b]));
  for (const r of [a, b]) assert.deepEqual([r.outcome, r.code], ['failed', 'orchestrator_helper_exit_nonzero']);
  assert.equal(existsSync(path.join(home, SETUP_LOCK_FILE)), false);
});

test('a process that waited for another one\'s successful setup does not run the helper again', { skip: process.platform === 'win32' && 'a shell script stands in for the helper' }, async (t) => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'setup-procs-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const log = path.join(root, 'runs.log');
  const helper = path.join(root, SETUP_HELPER_FILE);
  const ready = `mkdir -p "${home}/.sandbox" "${home}/.sandbox-secrets"
printf '%s' '${JSON.stringify(marker())}' > "${home}/.sandbox/setup_marker.json"
printf '%s' '${JSON.stringify(users(Buffer.from('a').toString('base64'), Buffer.from('b').toString('base64')))}' > "${home}/.sandbox-secrets/sandbox_users.json"`;
  writeFileSync(helper, `#!/bin/sh\necho "run $PPID" >> "${log}"\nsleep 0.5\n${ready}\nexit 0\n`);
  chmodSync(helper, 0o755);
  const results = await Promise.all([runChild(home, helper), runChild(home, helper)]);
  assert.deepEqual(results.map((r) => r.outcome), ['succeeded', 'succeeded']);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'one helper run for both');
  const waiter = results.find((r) => r.stages[0] === 'waiting_for_other_setup');
  assert.deepEqual(waiter?.stages, ['waiting_for_other_setup']);
});
