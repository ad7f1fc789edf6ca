// Socket directories left by dead parents: each new directory carries an owner record, and the
// sweep removes exactly the directories that are ours and whose owner is dead, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pipeNonce } from '../../../src/os/pipe-names';
import { createRunnerPipePair } from '../../../src/os/runner-pipes';
import { currentPidSpace, pidSpaceTag } from '../../../src/os/pid-space';
import { OWNERLESS_MIN_AGE_MS, sweepSocketDir, sweepStaleSocketDirs } from '../../../src/os/posix/stale-socket-dirs';
import { eventually, usePrivateTmpdir } from '../../helpers/process-state';

const linux = process.platform === 'linux';
const base = usePrivateTmpdir('stale');
/** Where the left-behind directories go: no pair is created here, so no background sweep races the tests. */
const left = path.join(base, 'left');
mkdirSync(left, { mode: 0o700 });

/** This process's pid space as records name it (a record from elsewhere names another). */
let space = '';
test.before(async () => {
  space = pidSpaceTag((await currentPidSpace())!);
});

function ownStartTime(pid = process.pid): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A pid that just exited (its number is not reused this soon). */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

/** A socket directory as another process would have left it. */
function leftDir(owner: object | string | null, options: { mode?: number; sockets?: 'dead' | 'none' } = {}): string {
  const dir = path.join(left, `codex-runner-${pipeNonce()}`);
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, options.mode ?? 0o700);
  if (owner !== null) writeFileSync(path.join(dir, 'owner'), typeof owner === 'string' ? owner : JSON.stringify(owner), { mode: 0o600 });
  if (options.sockets === 'dead') {
    // A listener that dies without closing: its socket file stays, and nothing accepts on it.
    for (const role of ['in', 'out']) {
      spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path.join(dir, role)]);
    }
  }
  return dir;
}

function makeOld(dir: string): void {
  const old = (Date.now() - OWNERLESS_MIN_AGE_MS - 60_000) / 1000;
  utimesSync(dir, old, old);
}

test('each new socket directory holds an owner record: our pid and our start time, 0600', { skip: !linux && 'reads /proc' }, async () => {
  const pair = await createRunnerPipePair();
  const dir = path.dirname(pair.names.in);
  try {
    const file = path.join(dir, 'owner');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { pid: process.pid, start: ownStartTime(), space });
    assert.equal(lstatSync(file).mode & 0o777, 0o600);
    assert.ok(lstatSync(file).isFile());
    assert.equal(await sweepSocketDir(dir), 'kept: owner alive');
  } finally {
    await pair.close();
  }
  assert.equal(existsSync(dir), false);
});

test('a dead owner, or a live pid that started at another time (reused), is stale: removed with its sockets', { skip: !linux && 'reads /proc' }, async () => {
  const dead = leftDir({ pid: deadPid(), start: '12345', space }, { sockets: 'dead' });
  assert.ok(lstatSync(path.join(dead, 'in')).isSocket());
  assert.equal(await sweepSocketDir(dead), 'removed');
  assert.equal(existsSync(dead), false);
  const reused = leftDir({ pid: process.pid, start: String(Number(ownStartTime()) - 1), space });
  assert.equal(await sweepSocketDir(reused), 'removed');
  const unknownStart = leftDir({ pid: process.pid, start: null, space });
  assert.equal(await sweepSocketDir(unknownStart), 'kept: owner alive', 'no start time to compare: a live pid is taken as the owner');
});

test('nothing that is not exactly ours is touched', { skip: !linux && 'reads /proc' }, async () => {
  const deadOwner = () => ({ pid: deadPid(), start: '1', space });
  const open = leftDir(deadOwner(), { mode: 0o755 });
  assert.equal(await sweepSocketDir(open), 'kept: not ours');
  // A symlink with our name, to a directory that would qualify: neither is followed nor removed.
  const target = leftDir(deadOwner());
  const link = path.join(left, `codex-runner-${pipeNonce()}`);
  symlinkSync(target, link);
  assert.equal(await sweepSocketDir(link), 'kept: not ours');
  assert.ok(lstatSync(link).isSymbolicLink());
  // Something else inside: not our layout.
  const extra = leftDir(deadOwner());
  writeFileSync(path.join(extra, 'notes.txt'), 'mine');
  assert.equal(await sweepSocketDir(extra), 'kept: unexpected contents');
  // An owner record that is a symlink, or not a record at all.
  const linkedOwner = leftDir(null);
  symlinkSync('/etc/hostname', path.join(linkedOwner, 'owner'));
  assert.equal(await sweepSocketDir(linkedOwner), 'kept: unexpected contents');
  const garbage = leftDir('{"pid": "x"');
  assert.equal(await sweepSocketDir(garbage), 'kept: unreadable owner');
  if (process.getuid?.() === 0) {
    // Another user's directory (we are root here, so we can make one).
    const theirs = leftDir(deadOwner());
    chownSync(theirs, 65534, 65534);
    assert.equal(await sweepSocketDir(theirs), 'kept: not ours');
  }
  // The sweep of the whole tmp dir removes none of these, and the target survived as well.
  const removed = await sweepStaleSocketDirs(left);
  assert.deepEqual(removed, [target]); // the symlink's target itself qualifies when reached by its own name
  for (const dir of [open, extra, linkedOwner, garbage]) assert.ok(existsSync(dir), dir);
  assert.ok(lstatSync(link).isSymbolicLink());
});

test('directories without an owner record (older versions): only when old and no socket accepts', { skip: !linux && 'reads /proc' }, async () => {
  const young = leftDir(null, { sockets: 'dead' });
  assert.equal(await sweepSocketDir(young), 'kept: too recent');
  const oldDead = leftDir(null, { sockets: 'dead' });
  makeOld(oldDead);
  assert.equal(await sweepSocketDir(oldDead), 'removed');
  const oldEmpty = leftDir(null);
  makeOld(oldEmpty);
  assert.equal(await sweepSocketDir(oldEmpty), 'removed');
  // An old directory whose socket still has a listener (a session of an older version waiting for its runner).
  const oldLive = leftDir(null);
  const net = await import('node:net');
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(path.join(oldLive, 'in'), resolve));
  makeOld(oldLive);
  try {
    assert.equal(await sweepSocketDir(oldLive), 'kept: a socket accepts');
  } finally {
    server.close();
  }
});

test('the first pair created in a tmp dir sweeps it', { skip: !linux && 'reads /proc' }, async () => {
  const fresh = path.join(base, 'first-use');
  mkdirSync(fresh, { mode: 0o700 });
  const stale = path.join(fresh, `codex-runner-${pipeNonce()}`);
  mkdirSync(stale, { mode: 0o700 });
  writeFileSync(path.join(stale, 'owner'), JSON.stringify({ pid: deadPid(), start: '1', space }));
  process.env.TMPDIR = fresh;
  try {
    const pair = await createRunnerPipePair();
    assert.ok(await eventually(() => !existsSync(stale)));
    await pair.close();
  } finally {
    process.env.TMPDIR = base;
  }
});

test("a live session's directory is kept by a sweep from another pid namespace (its pid means nothing there)", { skip: (!linux || process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) && 'needs Linux, root and unshare for a second pid namespace' }, async () => {
  const pair = await createRunnerPipePair();
  const dir = path.dirname(pair.names.in);
  try {
    // A process in a new pid namespace (as in a container sharing this tmp dir) sweeps this live
    // session's directory: our pid does not exist there, so it must not be taken for dead.
    const sweeper = path.resolve(__dirname, '../../../src/os/posix/stale-socket-dirs.js');
    const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '-e', `require(${JSON.stringify(sweeper)}).sweepSocketDir(${JSON.stringify(dir)}).then((v) => console.log(v))`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(r.stdout.trim(), 'removed');
    assert.ok(existsSync(pair.names.in), 'the live session keeps its socket');
  } finally {
    await pair.close();
  }
});

test('a record from another pid space, or from before records named one, proves nothing: only old and silent directories go', { skip: !linux && 'reads /proc' }, async () => {
  for (const owner of [{ pid: deadPid(), start: '1', space: 'feedfacefeedface' }, { pid: deadPid(), start: '1' }]) {
    const young = leftDir(owner, { sockets: 'dead' });
    assert.equal(await sweepSocketDir(young), 'kept: too recent', JSON.stringify(owner));
    const old = leftDir(owner, { sockets: 'dead' });
    makeOld(old);
    assert.equal(await sweepSocketDir(old), 'removed', JSON.stringify(owner));
  }
});
