// Finding codex's runner in real codex-home folders: the named version, the newest by version
// order, the legacy name, and the errors when there is none, saying what was looked for and
// what was there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CodexHomeError } from '../../src/main/codex/home/codex-home-error';
import { findCodexRunner, listCodexRunners } from '../../src/main/codex/home/runner-discovery';

const scratch = mkdtempSync(path.join(tmpdir(), 'codex-home-runners-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

/** A codex home whose .sandbox-bin holds `files` (names ending in `/` are folders). */
function codexHome(files: string[]): { home: string; bin: string } {
  const home = path.join(scratch, `home-${++n}`);
  const bin = path.join(home, '.sandbox-bin');
  mkdirSync(bin, { recursive: true });
  for (const name of files) {
    if (name.endsWith('/')) mkdirSync(path.join(bin, name));
    else writeFileSync(path.join(bin, name), `runner ${name}\n`);
  }
  return { home, bin };
}

const runner = (suffix: string) => `codex-command-runner-${suffix}.exe`;
const DEV_OLD = `1048576-${(0x65000000).toString(16)}`;
const DEV_NEW = `2048-${(0x66000000).toString(16)}`;

test('the version codex names is taken when its file is there, even if a newer one is too', async () => {
  const { home, bin } = codexHome([runner('0.157.0'), runner('0.158.0'), runner('0.159.0-alpha.1'), 'codex-command-runner.exe']);
  assert.deepEqual(await findCodexRunner(home, { codexVersion: '0.158.0' }), { path: path.join(bin, runner('0.158.0')), version: '0.158.0', how: 'named-version' });
  assert.deepEqual(await findCodexRunner(home, { codexVersion: '0.159.0-alpha.1' }), {
    path: path.join(bin, runner('0.159.0-alpha.1')),
    version: '0.159.0-alpha.1',
    how: 'named-version',
  });
});

test('without a version (or when its file is absent) the newest wins: releases over pre-releases over dev builds', async () => {
  const { home, bin } = codexHome([
    runner('0.130.0-alpha.5'),
    runner('0.129.10'),
    runner('0.130.0'),
    runner('0.129.9'),
    runner('0.130.0-alpha.10'),
    runner(DEV_NEW),
    runner(DEV_OLD),
    'codex-command-runner.exe',
  ]);
  const newest = { path: path.join(bin, runner('0.130.0')), version: '0.130.0', how: 'newest' };
  assert.deepEqual(await findCodexRunner(home), newest);
  // Issue #22834: CLI 0.130.0 with a runner named 0.130.0-alpha.5 — here a real 0.130.0 is there too.
  assert.deepEqual(await findCodexRunner(home, { codexVersion: '0.131.0' }), newest);

  const listed = await listCodexRunners(home);
  assert.deepEqual(
    listed.map((c) => [c.fileName, c.kind]),
    [
      [runner('0.130.0'), 'release'],
      [runner('0.130.0-alpha.10'), 'release'],
      [runner('0.130.0-alpha.5'), 'release'],
      [runner('0.129.10'), 'release'],
      [runner('0.129.9'), 'release'],
      [runner(DEV_NEW), 'dev-build'],
      [runner(DEV_OLD), 'dev-build'],
      ['codex-command-runner.exe', 'legacy'],
    ],
  );
  assert.equal(listed[0]!.path, path.join(bin, runner('0.130.0')));
  assert.equal(listed.at(-1)!.version, null);
});

test('pre-releases only: the highest pre-release; dev builds only: the latest mtime', async () => {
  const pre = codexHome([runner('0.130.0-alpha.5'), runner('0.130.0-beta.1'), runner('0.130.0-alpha.10')]);
  assert.equal((await findCodexRunner(pre.home)).version, '0.130.0-beta.1');
  const dev = codexHome([runner(DEV_OLD), runner(DEV_NEW)]);
  assert.deepEqual(await findCodexRunner(dev.home), { path: path.join(dev.bin, runner(DEV_NEW)), version: DEV_NEW, how: 'newest' });
  assert.deepEqual(await findCodexRunner(dev.home, { codexVersion: DEV_OLD }), { path: path.join(dev.bin, runner(DEV_OLD)), version: DEV_OLD, how: 'named-version' });
});

test('legacy codex-command-runner.exe when no versioned file is there; leftovers, folders, links and odd names are never taken', async () => {
  const { home, bin } = codexHome([
    'codex-command-runner.exe',
    `${runner('0.158.0')}.4242.1700000000000.tmp`, // our own materializer's partial copy
    '.tmpA1b2C3', // upstream's NamedTempFile
    `${runner('0.200.0')}/`, // a folder with a runner's name
    runner('latest'), // not a version
  ]);
  symlinkSync(path.join(bin, 'codex-command-runner.exe'), path.join(bin, runner('0.300.0')));
  assert.deepEqual(await findCodexRunner(home, { codexVersion: '0.158.0' }), { path: path.join(bin, 'codex-command-runner.exe'), version: null, how: 'legacy' });
  assert.deepEqual(
    (await listCodexRunners(home)).map((c) => [c.fileName, c.kind, c.version]),
    [
      ['codex-command-runner.exe', 'legacy', null],
      [runner('latest'), 'unrecognized', 'latest'],
    ],
  );
});

test('a runner name in another case (Windows names are case-insensitive) is found', async () => {
  const { home, bin } = codexHome(['Codex-Command-Runner-0.158.0.EXE']);
  assert.deepEqual(await findCodexRunner(home), { path: path.join(bin, 'Codex-Command-Runner-0.158.0.EXE'), version: '0.158.0', how: 'newest' });
});

function rejectsWith(message: string, folder: string) {
  return (err: unknown) => {
    assert.ok(err instanceof CodexHomeError, String(err));
    assert.equal(err.problem, 'runner-not-found');
    assert.equal(err.folder, folder);
    assert.equal(err.file, undefined);
    assert.equal(err.message, message);
    return true;
  };
}

const HOW = 'Codex copies its runner there the first time it runs a command in the Windows sandbox.';

test('none found in an empty .sandbox-bin: the folder and exactly what was looked for', async () => {
  const { home, bin } = codexHome([]);
  await assert.rejects(
    findCodexRunner(home),
    rejectsWith(`no codex runner in ${bin}: looked for codex-command-runner-<version>.exe (a release or dev build), then codex-command-runner.exe; the folder is empty. ${HOW}`, bin),
  );
  assert.deepEqual(await listCodexRunners(home), []);
});

test('codexVersion absent and nothing else usable: says so, and lists what was there', async () => {
  const { home, bin } = codexHome([`${runner('0.158.0')}.4242.1700000000000.tmp`, '.tmpA1b2C3', `${runner('0.157.0')}/`, runner('nightly'), 'sandbox.log']);
  await assert.rejects(
    findCodexRunner(home, { codexVersion: '0.158.0' }),
    rejectsWith(
      `no codex runner in ${bin}: looked for codex-command-runner-0.158.0.exe (codex 0.158.0), which is not there, then any codex-command-runner-<version>.exe (a release or dev build), then codex-command-runner.exe; ` +
        `the folder holds codex-command-runner-nightly.exe (version not recognized), .tmpA1b2C3, codex-command-runner-0.157.0.exe (a folder), codex-command-runner-0.158.0.exe.4242.1700000000000.tmp, sandbox.log. ${HOW}`,
      bin,
    ),
  );
});

test('no .sandbox-bin at all, or a file in its place: the folder and why', async () => {
  const home = path.join(scratch, `home-${++n}`);
  mkdirSync(home);
  const bin = path.join(home, '.sandbox-bin');
  await assert.rejects(
    findCodexRunner(home),
    rejectsWith(`no codex runner: ${bin} does not exist; looked for codex-command-runner-<version>.exe (a release or dev build), then codex-command-runner.exe there. ${HOW}`, bin),
  );
  await assert.rejects(listCodexRunners(home), (err: unknown) => err instanceof CodexHomeError && err.folder === bin);
  writeFileSync(bin, 'not a folder');
  await assert.rejects(findCodexRunner(home, { codexVersion: '1.0.0' }), (err: unknown) => err instanceof CodexHomeError && /is not a folder; looked for codex-command-runner-1\.0\.0\.exe/.test(err.message));
});

test('bad arguments are refused before touching the disk', async () => {
  await assert.rejects(findCodexRunner(''), /codexHome must be a non-empty path/);
  await assert.rejects(findCodexRunner(scratch, { codexVersion: '' }), /codexVersion must be a non-empty string/);
  await assert.rejects(findCodexRunner(scratch, { codexVersion: 5 as unknown as string }), TypeError);
});

test('a relative codex home is resolved, so returned paths are absolute', async () => {
  const { home, bin } = codexHome([runner('1.0.0')]);
  const relative = path.relative(process.cwd(), home);
  assert.equal((await findCodexRunner(relative)).path, path.join(bin, runner('1.0.0')));
});
