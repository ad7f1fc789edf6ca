// Helper materialization: copy the runner into <codexHome>/.sandbox-bin, reuse a fresh copy,
// recopy a stale one, fall back to the source on failure, and say so in sandbox.log.
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { materializeRunner, RunnerCopies, sandboxBinDir } from '../../src/main/launch/materialize-runner';
import { defaultRunnerSpec, withMaterializedFile } from '../../src/main/launch/runner-spec';
import { SessionManager } from '../../src/main/session/session-manager';
import { BUNDLED_RUNNER } from '../helpers/fixture-paths';
import { whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const scratch = path.join('/tmp/tests', `materialize-${process.pid}`);
let n = 0;
/** The copies of one owner (a SessionManager has one); a new one remembers nothing. */
let copies = new RunnerCopies();
let home = '';
let source = '';
const logLines = () => (existsSync(path.join(home, '.sandbox', 'sandbox.log')) ? readFileSync(path.join(home, '.sandbox', 'sandbox.log'), 'utf8').trim().split('\n') : []);
const lastLog = () => (logLines().at(-1) ?? '').replace(/^\S+ /, ''); // drop the timestamp
const dest = () => path.join(sandboxBinDir(home), 'codex-command-runner.js');
const binEntries = () => readdirSync(sandboxBinDir(home));

beforeEach(() => {
  copies = new RunnerCopies();
  home = path.join(scratch, `home-${++n}`);
  mkdirSync(home, { recursive: true });
  source = path.join(scratch, `app-${n}`, 'codex-command-runner.js');
  mkdirSync(path.dirname(source), { recursive: true });
  writeFileSync(source, 'console.log("runner v1")\n');
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('copies into .sandbox-bin with the source mtime, logs it, leaves no temp file', async () => {
  const launched = await copies.materialize({ source, codexHome: home });
  assert.equal(launched, dest());
  assert.equal(readFileSync(launched, 'utf8'), 'console.log("runner v1")\n');
  assert.ok(Math.abs(statSync(launched).mtimeMs - statSync(source).mtimeMs) < 1, 'the copy carries the source mtime');
  assert.equal(lastLog(), `helper copy: copied ${source} -> ${dest()}`);
  assert.deepEqual(binEntries(), ['codex-command-runner.js']);
});

test('a fresh copy is reused (logged), and the owner\'s cache skips even that check; materializeRunner alone checks each time', async () => {
  await copies.materialize({ source, codexHome: home });
  copies = new RunnerCopies();
  assert.equal(await copies.materialize({ source, codexHome: home }), dest());
  assert.equal(lastLog(), `helper copy: reused ${dest()}`);
  const lines = logLines().length;
  assert.equal(await copies.materialize({ source, codexHome: home }), dest());
  assert.equal(logLines().length, lines, 'a cached answer touches nothing');
  assert.equal(await materializeRunner({ source, codexHome: home }), dest());
  assert.equal(logLines().length, lines + 1, 'no cache: checked (and logged) again');
  assert.equal(lastLog(), `helper copy: reused ${dest()}`);
  // Concurrent callers share one materialization.
  copies = new RunnerCopies();
  const [a, b] = await Promise.all([copies.materialize({ source, codexHome: home }), copies.materialize({ source, codexHome: home })]);
  assert.equal(a, b);
  assert.equal(logLines().length, lines + 2);
});

test('stale copies are replaced: size changed, content changed at the same size, copy older than source', async () => {
  const copied = `helper copy: copied ${source} -> ${dest()}`;
  await copies.materialize({ source, codexHome: home });

  copies = new RunnerCopies();
  writeFileSync(source, 'console.log("runner v2, longer")\n');
  await copies.materialize({ source, codexHome: home });
  assert.equal(lastLog(), copied);
  assert.equal(readFileSync(dest(), 'utf8'), 'console.log("runner v2, longer")\n');

  copies = new RunnerCopies();
  writeFileSync(dest(), 'console.log("TAMPERED v2, longer")\n'); // same size, newer mtime
  await copies.materialize({ source, codexHome: home });
  assert.equal(lastLog(), copied);
  assert.equal(readFileSync(dest(), 'utf8'), 'console.log("runner v2, longer")\n');

  copies = new RunnerCopies();
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(dest(), past, past); // same bytes, but older than the source
  await copies.materialize({ source, codexHome: home });
  assert.equal(lastLog(), copied);
  assert.deepEqual(binEntries(), ['codex-command-runner.js']);
});

test('a file where .sandbox-bin should be: falls back to the source and logs why', { skip: posixOnly('the expected log line spells the paths with /') }, async () => {
  writeFileSync(path.join(home, '.sandbox-bin'), 'not a directory');
  assert.equal(await copies.materialize({ source, codexHome: home }), source);
  assert.match(lastLog(), new RegExp(`^helper copy failed for ${source}; falling back to legacy path ${source}: .*(EEXIST|ENOTDIR)`));
  // A fallback is not cached: once the obstacle is gone, the copy happens.
  rmSync(path.join(home, '.sandbox-bin'));
  assert.equal(await copies.materialize({ source, codexHome: home }), dest());
});

test('a rename that fails leaves no temp file behind', async () => {
  mkdirSync(path.join(dest(), 'occupied'), { recursive: true }); // a non-empty directory at the destination
  assert.equal(await copies.materialize({ source, codexHome: home }), source);
  assert.match(lastLog(), /^helper copy failed for .*; falling back to legacy path /);
  assert.deepEqual(binEntries(), ['codex-command-runner.js']);
  assert.ok(statSync(dest()).isDirectory());
});

test('a missing source is a logged fallback, with a separate logDir honoured', { skip: posixOnly('the expected log line spells the paths with /') }, async () => {
  const logDir = path.join(home, 'logs');
  const missing = path.join(scratch, 'nope', 'codex-command-runner.exe');
  assert.equal(await copies.materialize({ source: missing, codexHome: home, logDir }), missing);
  assert.match(readFileSync(path.join(logDir, 'sandbox.log'), 'utf8'), /helper copy failed for .*nope\/codex-command-runner\.exe; falling back to legacy path .*ENOENT/);
  assert.equal(existsSync(sandboxBinDir(home)), false);
});

test('a session with codexHome launches the materialized copy, started where this process runs (upstream has no .sandbox/runner-cwd)', { skip: posixOnly('runs sh and reads the runner\'s argv and cwd from /proc') }, async () => {
  const manager = new SessionManager();
  try {
    const session = manager.start({ command: ['sh', '-c', 'read x'], stdinOpen: true, runner: { kind: 'custom', spec: { exe: process.execPath, args: [BUNDLED_RUNNER], materialize: BUNDLED_RUNNER }, codexHome: home } });
    await whenRunning(session);
    const pid = session.status().runnerPid!;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.equal(argv[1], dest());
    assert.equal(readlinkSync(`/proc/${pid}/cwd`), process.cwd());
    assert.equal(existsSync(path.join(home, '.sandbox', 'runner-cwd')), false);
    assert.ok(readFileSync(dest()).equals(readFileSync(BUNDLED_RUNNER)));
    session.closeStdin();
    assert.equal((await session.exited).state, 'exited');
  } finally {
    await manager.dispose();
  }
});

test('the packages the runner loads travel with it: copied under .sandbox-bin/node_modules, stale files recopied, oddities refused', { skip: posixOnly('links a package file to /etc/passwd (a symlink needs a privilege on Windows)') }, async () => {
  const modules = path.join(scratch, `app-${n}`, 'node_modules');
  const koffi = path.join(modules, 'koffi');
  const native = path.join(modules, '@scope', 'native-x64');
  mkdirSync(path.join(koffi, 'src'), { recursive: true });
  mkdirSync(native, { recursive: true });
  writeFileSync(path.join(koffi, 'index.cjs'), 'module.exports = 1;\n');
  writeFileSync(path.join(koffi, 'src', 'deep.cjs'), 'deep\n');
  writeFileSync(path.join(native, 'koffi.node'), Buffer.alloc(1024, 7));
  assert.equal(await copies.materialize({ source, codexHome: home, carry: [koffi, native] }), dest());
  const bin = sandboxBinDir(home);
  assert.equal(readFileSync(path.join(bin, 'node_modules', 'koffi', 'src', 'deep.cjs'), 'utf8'), 'deep\n');
  assert.deepEqual(readFileSync(path.join(bin, 'node_modules', '@scope', 'native-x64', 'koffi.node')), Buffer.alloc(1024, 7));
  // A changed file is copied again; the rest is reused.
  writeFileSync(path.join(koffi, 'index.cjs'), 'module.exports = 2;\n');
  utimesSync(path.join(koffi, 'index.cjs'), new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
  copies = new RunnerCopies();
  await copies.materialize({ source, codexHome: home, carry: [koffi, native] });
  assert.equal(readFileSync(path.join(bin, 'node_modules', 'koffi', 'index.cjs'), 'utf8'), 'module.exports = 2;\n');
  // A symlink in a package is not followed into the sandbox user's folder: the copy falls back, saying why.
  symlinkSync('/etc/passwd', path.join(koffi, 'link'));
  copies = new RunnerCopies();
  assert.equal(await copies.materialize({ source, codexHome: home, carry: [koffi, native] }), source);
  assert.match(lastLog(), /^helper copy failed for .*: .*link is neither a file nor a folder; refusing to copy it next to the runner$/);
  assert.equal(existsSync(path.join(bin, 'node_modules', 'koffi', 'link')), false);
});

test("this package's runner carries koffi and needs no NODE_PATH once materialized: a tty session with a codex home works", { skip: posixOnly('the tty command is sh') }, async () => {
  const spec = defaultRunnerSpec(BUNDLED_RUNNER);
  assert.ok(spec.carry && spec.carry.length === 2, 'koffi and its native package are carried');
  const materialized = withMaterializedFile(spec, '/copy/codex-command-runner.js');
  assert.equal(materialized.env?.NODE_PATH, undefined);
  const manager = new SessionManager();
  try {
    const session = manager.start({ command: ['sh', '-c', 'tty >/dev/null && echo on a terminal'], tty: true, runner: { kind: 'custom', spec: spec, codexHome: home } });
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d));
    const result = await session.exited;
    assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' }, result.error?.message);
    assert.match(out, /on a terminal/);
    assert.ok(existsSync(path.join(sandboxBinDir(home), 'node_modules', 'koffi')));
  } finally {
    await manager.dispose();
  }
});
