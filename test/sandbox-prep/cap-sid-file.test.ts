// codex's cap_sid file: both forms read, created when missing, key rules, atomic writes, and
// writers in separate processes that both keep their SIDs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { capSidFile, capSidsFor, CapSidFileError, parseCapSids, randomCapSid } from '../../src/sandbox-prep/cap-sid-file';

const run = promisify(execFile);
const WRITER = path.resolve(__dirname, '..', 'fixtures', 'cap-sid-writer.js');
const SID = /^S-1-5-21-\d+-\d+-\d+-\d+$/;

function home(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cap-sid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("new SIDs have upstream's form S-1-5-21-<u32>-<u32>-<u32>-<u32>, each part a u32", () => {
  for (let i = 0; i < 50; i++) {
    const sid = randomCapSid();
    assert.match(sid, SID);
    for (const part of sid.split('-').slice(4)) assert.ok(Number(part) <= 0xffffffff);
  }
});

test('a missing file is created in JSON form with workspace, readonly and both tables', async (t) => {
  const h = home(t);
  const [readonly] = await capSidsFor(h, [{ table: 'readonly' }]);
  const saved = JSON.parse(readFileSync(capSidFile(h), 'utf8'));
  assert.deepEqual(Object.keys(saved), ['workspace', 'readonly', 'workspace_by_cwd', 'writable_root_by_path']);
  assert.equal(saved.readonly, readonly);
  assert.match(saved.workspace, SID);
  assert.deepEqual(await capSidsFor(h, [{ table: 'readonly' }]), [readonly], 'read again, not made again');
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid'], 'no temp or lock file left behind');
});

test("a legacy plain-text file's SID becomes workspace; the file is rewritten as JSON", async (t) => {
  const h = home(t);
  writeFileSync(capSidFile(h), 'S-1-5-21-1-2-3-4\r\n');
  const [sid] = await capSidsFor(h, [{ table: 'workspace_by_cwd', key: 'c:/work' }]);
  const saved = JSON.parse(readFileSync(capSidFile(h), 'utf8'));
  assert.equal(saved.workspace, 'S-1-5-21-1-2-3-4');
  assert.equal(saved.workspace_by_cwd['c:/work'], sid);
  assert.match(saved.readonly, SID);
});

test('JSON written by codex is read as it is: existing SIDs are used, nothing is written', async (t) => {
  const h = home(t);
  const text = JSON.stringify({ workspace: 'S-1-5-21-1-1-1-1', readonly: 'S-1-5-21-2-2-2-2', workspace_by_cwd: { 'c:/w': 'S-1-5-21-3-3-3-3' }, writable_root_by_path: { 'c:/x': 'S-1-5-21-4-4-4-4' } });
  writeFileSync(capSidFile(h), text);
  const got = await capSidsFor(h, [{ table: 'workspace_by_cwd', key: 'c:/w' }, { table: 'writable_root_by_path', key: 'c:/x' }, { table: 'readonly' }]);
  assert.deepEqual(got, ['S-1-5-21-3-3-3-3', 'S-1-5-21-4-4-4-4', 'S-1-5-21-2-2-2-2']);
  assert.equal(readFileSync(capSidFile(h), 'utf8'), text);
  // Tables are serde(default): a file without them is still codex's.
  assert.deepEqual(parseCapSids('{"workspace":"S-1-5-21-1-1-1-1","readonly":"S-1-5-21-2-2-2-2"}', 'f')?.caps.workspace_by_cwd, {});
});

test('a corrupt file is an error naming the file, and it is left as it was', async (t) => {
  const h = home(t);
  for (const bad of ['{"workspace": ', '{"workspace":"x","readonly":"S-1-5-21-1-1-1-1"}', 'not a sid', '{"workspace":"S-1-5-21-1-1-1-1","readonly":"S-1-5-21-2-2-2-2","workspace_by_cwd":[]}']) {
    writeFileSync(capSidFile(h), bad);
    await assert.rejects(capSidsFor(h, [{ table: 'readonly' }]), (err: Error) => err instanceof CapSidFileError && err.message.includes(capSidFile(h)));
    assert.equal(readFileSync(capSidFile(h), 'utf8'), bad);
  }
});

test('two processes adding SIDs at once both keep all of theirs', async (t) => {
  const h = home(t);
  const writers = await Promise.all(['a', 'b', 'c'].map((p) => run(process.execPath, [WRITER, h, p, '15'])));
  const got = writers.map((w) => JSON.parse(w.stdout) as Record<string, string>);
  const saved = JSON.parse(readFileSync(capSidFile(h), 'utf8'));
  for (const mine of got) for (const [key, sid] of Object.entries(mine)) assert.equal(saved.writable_root_by_path[key], sid, key);
  assert.equal(Object.keys(saved.writable_root_by_path).length, 45);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});

test("a lock left by a writer that died is taken over at once, not after the stale age", async (t) => {
  const h = home(t);
  const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(stdout);
  assert.throws(() => process.kill(deadPid, 0), /ESRCH/, 'the child has exited');
  writeFileSync(`${capSidFile(h)}.lock`, `${deadPid} 00000000-0000-0000-0000-000000000000`);
  const started = Date.now();
  const [sid] = await capSidsFor(h, [{ table: 'readonly' }]);
  assert.match(sid!, SID);
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid'], 'the dead lock and any aside copy are gone');
});

test('a lock whose owner is alive and fresh is waited for, and left to its owner', async (t) => {
  const h = home(t);
  const lock = `${capSidFile(h)}.lock`;
  writeFileSync(lock, `${process.pid} someone-else`);
  setTimeout(() => rmSync(lock, { force: true }), 300);
  const started = Date.now();
  await capSidsFor(h, [{ table: 'readonly' }]);
  assert.ok(Date.now() - started >= 250, 'it waited for the live lock');
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});
