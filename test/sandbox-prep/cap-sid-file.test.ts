// codex's cap_sid file: both forms read, created when missing, key rules, atomic writes, and
// writers in separate processes that both keep their SIDs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { capSidFile, capSidsFor, CapSidFileError, parseCapSids, randomCapSid } from '../../src/main/codex/sandbox-prep/cap-sid-file';
import { currentPidSpace, pidSpaceTag } from '../../src/os/pid-space';
import { posixOnly } from '../helpers/platform';

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

/** The pid of a process that has just exited (this pid space's). */
async function deadPid(): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const pid = Number(stdout);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the child has exited');
  return pid;
}

const lockText = (pid: number, space: string | undefined) => JSON.stringify({ pid, space, token: randomUUID() });

test('a lock left by a writer that died in this pid space is taken over at once, not after the stale age', async (t) => {
  const h = home(t);
  writeFileSync(`${capSidFile(h)}.lock`, lockText(await deadPid(), await currentPidSpace()));
  const started = Date.now();
  const [sid] = await capSidsFor(h, [{ table: 'readonly' }]);
  assert.match(sid!, SID);
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid'], 'the dead lock and any aside copy are gone');
});

test('a lock whose owner is alive and fresh is waited for, and left to its owner', async (t) => {
  const h = home(t);
  const lock = `${capSidFile(h)}.lock`;
  writeFileSync(lock, lockText(process.pid, await currentPidSpace()));
  setTimeout(() => rmSync(lock, { force: true }), 300);
  const started = Date.now();
  await capSidsFor(h, [{ table: 'readonly' }]);
  assert.ok(Date.now() - started >= 250, 'it waited for the live lock');
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});

test("a fresh lock from another pid space (host, pid namespace, boot), or one naming none, is waited for even when its pid is unused here", async (t) => {
  const h = home(t);
  const lock = `${capSidFile(h)}.lock`;
  const pid = await deadPid();
  const mine = (await currentPidSpace()) ?? 'linux:h:b:pid:[1]';
  const host = mine.split(':')[1];
  const others = [
    mine.replace(/^([^:]+):[^:]+:/, '$1:another-host:'),
    mine.startsWith('linux:')
      ? mine.replace(/\[\d+\]$/, '[1]') // same host and boot, another pid namespace (a container)
      : mine.replace(/boot-(\d+)$/, (_, m: string) => `boot-${Number(m) - 5}`), // same name, another boot: another machine
    mine.startsWith('linux:') ? `win32:${host}:boot-1` : `linux:${host}:b:pid:[1]`, // Linux and Windows (Wine, WSL) on one host
    undefined,
  ];
  for (const text of [...others.map((space) => lockText(pid, space)), `${pid} 00000000-0000-0000-0000-000000000000` /* older versions' form */]) {
    writeFileSync(lock, text);
    setTimeout(() => rmSync(lock, { force: true }), 300);
    const started = Date.now();
    await capSidsFor(h, [{ table: 'writable_root_by_path', key: `c:/${randomUUID()}` }]);
    assert.ok(Date.now() - started >= 250, `a lock holding ${text} was taken over after ${Date.now() - started} ms`);
  }
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});

test('a lock from another pid space older than the stale age is taken over at once', async (t) => {
  const h = home(t);
  const lock = `${capSidFile(h)}.lock`;
  writeFileSync(lock, lockText(1, 'win32:elsewhere:boot-1'));
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  const started = Date.now();
  await capSidsFor(h, [{ table: 'readonly' }]);
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});

test('a cap_sid.lock that is a directory is an error at once, saying so', async (t) => {
  const h = home(t);
  mkdirSync(`${capSidFile(h)}.lock`);
  const started = Date.now();
  await assert.rejects(capSidsFor(h, [{ table: 'readonly' }]), (err: Error) => {
    assert.ok(err instanceof CapSidFileError);
    assert.equal(err.message, `codex's capability SID file ${capSidFile(h)} could not be locked: ${capSidFile(h)}.lock is a directory, not a lock file: nothing of codex's or this module's makes one there; remove it`);
    return true;
  });
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.ok(!existsSync(capSidFile(h)));
});

test("the next write removes temp files that dead writers left, and old ones, but never a live writer's", async (t) => {
  const h = home(t);
  const file = capSidFile(h);
  const tag = pidSpaceTag((await currentPidSpace())!);
  const dead = await deadPid();
  const uuid = () => randomUUID();
  const gone = [`cap_sid.${dead}.${tag}.${uuid()}.tmp`];
  const kept = [`cap_sid.${process.pid}.${tag}.${uuid()}.tmp`, `cap_sid.${dead}.${'0'.repeat(16)}.${uuid()}.tmp`, `cap_sid.${dead}.${uuid()}.tmp`];
  const old = [`cap_sid.${process.pid}.${tag}.${uuid()}.tmp`, `cap_sid.${dead}.${'0'.repeat(16)}.${uuid()}.tmp`, `cap_sid.${dead}.${uuid()}.tmp`, `cap_sid.lock.stale-${uuid()}`];
  const unrelated = ['cap_sid.bak', 'cap_sid.1.tmp', 'notes.tmp'];
  for (const name of [...gone, ...kept, ...old, ...unrelated]) writeFileSync(path.join(h, name), '{"workspace": ');
  const past = new Date(Date.now() - 60_000);
  for (const name of old) utimesSync(path.join(h, name), past, past);
  await capSidsFor(h, [{ table: 'readonly' }]);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid', ...kept, ...unrelated].sort(), 'dead owners\' and old leftovers removed; live, foreign-and-fresh and unrelated files kept');
  // A read that finds every SID writes nothing, and so removes nothing.
  rmSync(path.join(h, kept[0]!));
  await capSidsFor(h, [{ table: 'readonly' }]);
  assert.equal(readdirSync(h).length, 1 + kept.length - 1 + unrelated.length);
  assert.ok(existsSync(file));
});

test('a writer killed mid-write leaves a temp file that the next write removes', { skip: posixOnly('SIGKILL at an arbitrary instant') }, async (t) => {
  const h = home(t);
  // Kill writers at once until one dies between writing its temp file and renaming it.
  let leftover: string | undefined;
  for (let attempt = 0; attempt < 200 && leftover === undefined; attempt++) {
    const child = execFile(process.execPath, [WRITER, h, `k${attempt}`, '1000']);
    await new Promise((r) => setTimeout(r, 40 + (attempt % 20)));
    const start = Date.now();
    while (Date.now() - start < 500) {
      leftover = readdirSync(h).find((n) => n.endsWith('.tmp'));
      if (leftover) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    leftover = readdirSync(h).find((n) => n.endsWith('.tmp'));
    rmSync(`${capSidFile(h)}.lock`, { force: true }); // the killed writer's lock is the other test's subject
  }
  assert.ok(leftover, 'no writer was caught mid-write');
  await capSidsFor(h, [{ table: 'writable_root_by_path', key: 'c:/after' }]);
  assert.deepEqual(readdirSync(h).sort(), ['cap_sid']);
});

test("a symbolic link at cap_sid is written through: the target gets the SIDs, the link stays a link", { skip: posixOnly('symlinks need privileges on Windows') }, async (t) => {
  const h = home(t);
  const shared = path.join(h, 'shared');
  mkdirSync(shared);
  const target = path.join(shared, 'cap_sid');
  writeFileSync(target, JSON.stringify({ workspace: 'S-1-5-21-1-1-1-1', readonly: 'S-1-5-21-2-2-2-2' }));
  mkdirSync(path.join(h, 'codex'));
  symlinkSync(target, capSidFile(path.join(h, 'codex')));
  const [sid] = await capSidsFor(path.join(h, 'codex'), [{ table: 'writable_root_by_path', key: 'c:/w' }]);
  assert.ok(lstatSync(capSidFile(path.join(h, 'codex'))).isSymbolicLink(), 'the link was not replaced');
  assert.equal(JSON.parse(readFileSync(target, 'utf8')).writable_root_by_path['c:/w'], sid);
  assert.deepEqual(readdirSync(shared), ['cap_sid'], 'lock and temp file went beside the target, and are gone');
  assert.deepEqual(readdirSync(path.join(h, 'codex')), ['cap_sid']);
});

test('a dangling symbolic link at cap_sid is an error naming it and its target; nothing is made', { skip: posixOnly('symlinks need privileges on Windows') }, async (t) => {
  const h = home(t);
  const missing = path.join(h, 'gone', 'cap_sid');
  symlinkSync(missing, capSidFile(h));
  await assert.rejects(capSidsFor(h, [{ table: 'readonly' }]), (err: Error) => {
    assert.ok(err instanceof CapSidFileError);
    assert.equal(err.message, `codex's capability SID file ${capSidFile(h)} is a symbolic link to ${missing}, which cannot be followed (ENOENT): restore its target, or remove the link to let a new file be made`);
    return true;
  });
  assert.deepEqual(readdirSync(h), ['cap_sid']);
  assert.ok(!existsSync(path.join(h, 'gone')));
});

test("a codex home that cannot be made is the module's error naming the file and the folder", async (t) => {
  const h = home(t);
  writeFileSync(path.join(h, 'file'), '');
  const codexHome = path.join(h, 'file', 'codex');
  await assert.rejects(capSidsFor(codexHome, [{ table: 'readonly' }]), (err: Error) => {
    assert.ok(err instanceof CapSidFileError, `${err.name}: ${err.message}`);
    assert.match(err.message, new RegExp(`^codex's capability SID file ${capSidFile(codexHome).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} cannot be created: its folder .* could not be made \\(ENOTDIR`));
    return true;
  });
});
