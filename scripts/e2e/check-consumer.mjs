// The consumer check: packs this package (after `npm run build`), asserts what the tarball holds
// and its size, installs it into a fresh consumer project in a temp dir (offline, consumer-project.mjs),
// then runs real sessions through it from CommonJS, ESM and strict TypeScript, the README's
// examples as written, and node-pty's own tests, an xterm-style loop and node-pty's examples/fork
// on the "./node-pty" entry and on node-pty itself (checkNodePtyCompat). Prints one "ok"/"FAIL"/"skip"
// line per check (per test for node-pty's). Leaves nothing behind.
// Usage: node scripts/e2e/check-consumer.mjs [--keep]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { examplesIn, installConsumer, npm, packTarball, repo } from './consumer-project.mjs';

const require = createRequire(import.meta.url);
const keep = process.argv.includes('--keep');
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const here = path.join(repo, 'scripts', 'e2e', 'consumer');

// Bounds with room for growth; today's numbers are printed with them.
const MAX_PACKED_BYTES = 400 * 1024;
const MAX_UNPACKED_BYTES = 1200 * 1024;
const MUST_HOLD = [
  'package.json', 'README.md', 'bin/codex-runner-ipc.js', 'bin/codex-runner-ipc-runner.js',
  'dist/src/main/index.js', 'dist/src/main/index.d.ts', 'dist/src/cli/main.js',
  'dist/runner/codex-command-runner.js', 'dist/runner/codex-runner-launcher.js',
  'dist/electron/main/index.js', 'dist/electron/main/index.d.ts', 'dist/electron/main/app-runner.js',
  'dist/electron/builder/builder-config.js', 'dist/electron/preload/preload.bundle.js',
  'dist/renderer/index.html', 'dist/renderer/panel.css', 'dist/renderer/panel.bundle.js',
];

const work = mkdtempSync(path.join(tmpdir(), 'runner-ipc-consumer-'));
try {
  const pack = packTarball(path.join(work, 'pkg'));
  const files = new Set(pack.files);
  console.log(`tarball: ${pack.entryCount} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
  const missing = MUST_HOLD.filter((f) => !files.has(f));
  check(missing.length === 0, `the tarball holds what runs${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
  const stray = pack.files.filter((f) =>
    f.endsWith('.map') || f.endsWith('.tgz') || f.endsWith('.png') || /^dist\/(test|bench|e2e|examples)\//.test(f) ||
    (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /^(src|test|electron|renderer|examples|e2e|bench|scripts|build|docs)\//.test(f) ||
    f === 'dist/electron/preload/preload.js' || (f.startsWith('dist/renderer/') && !/\/(index\.html|panel\.css|panel\.bundle\.js)$/.test(f)));
  check(stray.length === 0, `no compiled tests, sources, docs, source maps, images, tarballs, the demo app (examples/) or unbundled panel code${stray.length ? `: ${stray.slice(0, 10).join(', ')}` : ''}`);
  check(pack.size <= MAX_PACKED_BYTES, `packed size ${pack.size} <= ${MAX_PACKED_BYTES} bytes`);
  check(pack.unpackedSize <= MAX_UNPACKED_BYTES, `unpacked size ${pack.unpackedSize} <= ${MAX_UNPACKED_BYTES} bytes`);

  checkGitInstallBuilds(path.join(work, 'clone'));

  const app = path.join(work, 'app');
  const install = installConsumer(app, pack);
  check(install.status === 0, `npm ci --offline installs the tarball into a fresh project (exit ${install.status})${install.status ? `: ${install.stderr.slice(-1500)}` : ''}`);
  if (install.status !== 0) throw new Error('install failed');
  check(existsSync(path.join(app, 'node_modules', 'koffi')) && existsSync(path.join(app, 'node_modules', '@koromix', `koffi-${process.platform}-${process.arch}`)), 'koffi and its native package came with it');

  // The consumer scripts and the README's example run POSIX shell commands; on Windows the
  // sessions are the Win32 suite's and check-package.mjs's (the packed runner) to run.
  const posix = process.platform !== 'win32';
  const run = (what, file, args = []) => {
    if (!posix) return void console.log(`skip ${what}: its commands are POSIX shell commands`);
    const r = spawnSync(process.execPath, [file, ...args], { cwd: app, encoding: 'utf8', timeout: 300_000 });
    process.stdout.write(r.stdout);
    check(r.status === 0, `${what} exited 0 (got ${r.status ?? r.signal})${r.status ? `: ${r.stderr.slice(-2000)}` : ''}`);
    return r;
  };
  for (const f of ['cjs-consumer.cjs', 'esm-consumer.mjs', 'strict-consumer.mts', 'strict-consumer.cts', 'nameable.mts']) copyFileSync(path.join(here, f), path.join(app, f));
  run('the CommonJS consumer', 'cjs-consumer.cjs');
  run('the ES module consumer', 'esm-consumer.mjs');

  // Strict TypeScript against the installed declarations (no skipLibCheck); electron's own types
  // stand where an Electron app has them installed.
  const tsconfig = JSON.parse(readFileSync(path.join(here, 'tsconfig.json'), 'utf8'));
  tsconfig.compilerOptions.typeRoots = [path.join(repo, 'node_modules', '@types')];
  tsconfig.compilerOptions.paths = { electron: [path.join(repo, 'node_modules', 'electron', 'electron.d.ts')] };
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const tsc = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
  check(tsc.status === 0, `tsc --strict compiles the TypeScript consumers and writes their declarations (every type reachable from the API can be named from the entries) (exit ${tsc.status})${tsc.status ? `:\n${tsc.stdout}${tsc.stderr}` : ''}`);
  if (tsc.status === 0) {
    run('the compiled TypeScript consumer (ESM)', path.join('out', 'strict-consumer.mjs'));
    run('the compiled TypeScript consumer (CommonJS)', path.join('out', 'strict-consumer.cjs'));
  }

  // The node-pty facade's entry: in the exports map, built by another change (src/main/node-pty/).
  if (files.has('dist/src/main/node-pty/index.js')) {
    copyFileSync(path.join(here, 'node-pty-consumer.cjs'), path.join(app, 'node-pty-consumer.cjs'));
    run('the node-pty facade consumer', 'node-pty-consumer.cjs');
  } else {
    console.log('skip the "./node-pty" entry: dist/src/main/node-pty/index.js is not in this build (src/main/node-pty/ not written yet)');
  }
  if (files.has('dist/src/main/node-pty/index.js')) checkNodePtyCompat(app);

  // The README's examples, as written there. The API example is Windows-only (cmd.exe, codex's
  // runner and sandbox user): it is type-checked with the strict consumer's settings, not run.
  const readme = examplesIn(path.join(repo, 'README.md'));
  const apiExample = readme.get('api-example.mts');
  check(apiExample !== undefined, 'the README has its API example (```ts starting "// api-example.mts")');
  if (apiExample) {
    writeFileSync(path.join(app, 'api-example.mts'), apiExample);
    const apiConfig = { ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, noEmit: true, declaration: false, noUnusedLocals: false }, files: ['api-example.mts'] };
    writeFileSync(path.join(app, 'tsconfig.api.json'), JSON.stringify(apiConfig, null, 2));
    const r = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(app, 'tsconfig.api.json')], { cwd: app, encoding: 'utf8' });
    check(r.status === 0, `the README's API example type-checks as written (strict, against the installed types) (exit ${r.status})${r.status ? `:\n${r.stdout}${r.stderr}` : ''}`);
  }
  // docs/electron.md's main.js, type-checked (checkJs) against Electron's and the installed types.
  const electronMain = examplesIn(path.join(repo, 'docs', 'electron.md')).get('main.js');
  check(electronMain !== undefined, 'docs/electron.md has the app\'s main.js');
  if (electronMain) {
    writeFileSync(path.join(app, 'electron-main.cjs'), electronMain);
    const jsConfig = { ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, noEmit: true, declaration: false, allowJs: true, checkJs: true }, files: ['electron-main.cjs'] };
    writeFileSync(path.join(app, 'tsconfig.electron.json'), JSON.stringify(jsConfig, null, 2));
    const r = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(app, 'tsconfig.electron.json')], { cwd: app, encoding: 'utf8' });
    check(r.status === 0, `docs/electron.md's main.js type-checks as written (checkJs, strict, Electron's types) (exit ${r.status})${r.status ? `:\n${r.stdout}${r.stderr}` : ''}`);
  }

  const example = readme.get('example.mjs');
  check(example !== undefined, 'the README has its Linux/macOS example (```js starting "// example.mjs")');
  if (example) {
    writeFileSync(path.join(app, 'example.mjs'), example);
    const r = run('the README\'s Linux/macOS example, verbatim', 'example.mjs');
    if (posix) check(r?.stdout === 'hello from the runner\nexited with code 3\n', `it prints what the README says (got ${JSON.stringify(r.stdout)})`);
  }
} catch (err) {
  check(false, `the check ran to its end: ${err.stack ?? err}`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

/**
 * node-pty's own tests (1.1.0, ported in test/node-pty-upstream/), the xterm-style loop and node-pty's
 * examples/fork (only its import changed), each run on the facade from the tarball and on node-pty
 * itself (the dev dependency, linked in), which shows the ports keep upstream's meaning. Each run
 * carries a mark in its environment: a process still holding it 5 s after the run is a leak.
 */
function checkNodePtyCompat(app) {
  if (process.platform === 'win32') return void console.log("skip node-pty's ported tests: POSIX commands (Windows runs the Win32 suite)");
  const nodePty = path.join(repo, 'node_modules', 'node-pty');
  const haveNodePty = existsSync(path.join(nodePty, 'build', 'Release', 'pty.node'));
  if (haveNodePty) symlinkSync(nodePty, path.join(app, 'node_modules', 'node-pty'), 'junction');
  else if (process.env.CI === 'true') check(false, 'node-pty (dev dependency) is built: npm ci runs its install script (allowScripts)');
  else console.log('skip node-pty itself: node_modules/node-pty is not built here (npm ci builds it)');
  const upstream = path.join(app, 'node-pty-upstream');
  cpSync(path.join(repo, 'test', 'node-pty-upstream'), upstream, { recursive: true });
  copyFileSync(path.join(here, 'xterm-loop.cjs'), path.join(app, 'xterm-loop.cjs'));
  // Upstream's `ps -ax | grep node` counts only these tests' processes in a PID namespace of their own.
  // Each run also gets a TMPDIR of its own: the package's socket directories carry their owner's pid,
  // which a process in another PID namespace would judge dead and sweep (both ways).
  const isolate = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
  if (!isolate) console.log("note: no PID namespace here (unshare): upstream's 'should not leak child process' counts every node process on the machine");

  const forkExample = readFileSync(path.join(upstream, 'examples', 'fork', 'index.js'), 'utf8');
  const forkImport = "import * as pty from '../../lib/index.js';";
  check(forkExample.includes(forkImport), `node-pty's examples/fork/index.js imports ${forkImport}`);
  for (const ptyModule of ['codex-runner-ipc/node-pty', ...(haveNodePty ? ['node-pty'] : [])]) {
    const env = ptyModule === 'node-pty' ? { PTY_IMPL: 'node-pty', PTY_MODULE: 'node-pty' } : {};
    runMarked(`node-pty's ported tests on ${ptyModule}`, [path.join(upstream, 'run.cjs')], upstream, env, isolate, true);
    runMarked(`the xterm-style loop on ${ptyModule}`, ['xterm-loop.cjs'], app, env);
    const fork = path.join(upstream, 'examples', 'fork', ptyModule === 'node-pty' ? 'index.node-pty.js' : 'index.js');
    writeFileSync(fork, forkExample.replace(forkImport, `import * as pty from '${ptyModule}';`));
    const r = runMarked(`node-pty's examples/fork on ${ptyModule}`, [fork], path.dirname(fork), env);
    check(r.stdout.includes('Environment vars work'), `node-pty's examples/fork on ${ptyModule} printed its resized shell's echo $TEST`);
  }
}

/**
 * `node args` in `cwd` with a mark in its environment and a TMPDIR of its own: exits 0, and leaves no
 * marked process behind (nor anything in TMPDIR, unless `tempLeftOk`).
 * In a process group of its own: upstream's tests signal `pty.pid`, and `process.kill(0, ...)` (a pid
 * of 0) signals the caller's whole group.
 */
function runMarked(what, args, cwd, env, isolate = false, tempLeftOk = false) {
  const mark = randomUUID();
  const [cmd, argv] = isolate ? ['unshare', ['--pid', '--fork', '--mount-proc', process.execPath, ...args]] : [process.execPath, args];
  const tmp = mkdtempSync(path.join(path.dirname(cwd), 'tmp-'));
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 300_000, detached: true, env: { ...process.env, ...env, TMPDIR: tmp, CONSUMER_CHECK_MARK: mark } });
  process.stdout.write(r.stdout && !r.stdout.endsWith('\n') ? `${r.stdout}\n` : r.stdout);
  check(r.status === 0, `${what} exited 0 (got ${r.status ?? r.signal})${r.status ? `: ${r.stderr.slice(-2000)}` : ''}`);
  let left = markedProcesses(mark);
  for (let waited = 0; left.length > 0 && waited < 5000; waited += 100) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    left = markedProcesses(mark);
  }
  check(left.length === 0, `${what}: no process it started is left 5 s after it ended${left.length ? `: ${left.join('; ')}` : ''}`);
  // A run that ends by itself leaves its TMPDIR as it found it (upstream's suite ends by --test-force-exit,
  // as mocha --exit: what it leaves there is the next process's sweep to take).
  const files = readdirSync(tmp, { recursive: true });
  if (!tempLeftOk) check(files.length === 0, `${what}: nothing left in its TMPDIR${files.length ? `: ${files.join(', ')}` : ''}`);
  return r;
}

/** This machine's processes whose environment holds CONSUMER_CHECK_MARK=mark (Linux /proc). */
function markedProcesses(mark) {
  if (!existsSync('/proc/self/environ')) return [];
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`CONSUMER_CHECK_MARK=${mark}`)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * What npm does for a git dependency: clone, install the devDependencies, run `prepare`, pack. The
 * clone here is of HEAD (so it has no dist/), its node_modules this repo's (npm would install the
 * same from the lockfile); `npm pack` with its scripts must then build and ship what runs.
 */
function checkGitInstallBuilds(clone) {
  const git = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], { encoding: 'utf8' });
  if (git.status !== 0) return void console.log(`skip a git install builds dist/: no git clone of ${repo} (${(git.stderr || git.error?.message || '').trim()})`);
  symlinkSync(path.join(repo, 'node_modules'), path.join(clone, 'node_modules'), 'junction');
  check(!existsSync(path.join(clone, 'dist')), 'a fresh clone has no dist/');
  const r = npm(['pack', '--dry-run', '--json'], { cwd: clone });
  const files = r.status === 0 ? new Set(JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0].files.map((f) => f.path)) : new Set();
  const missing = MUST_HOLD.filter((f) => !files.has(f));
  check(r.status === 0 && missing.length === 0, `npm pack in it runs prepare, which builds what the tarball must hold (exit ${r.status})${missing.length ? `; missing: ${missing.join(', ')}` : ''}${r.status ? `: ${r.stderr.slice(-1500)}` : ''}`);
}

console.log(failures.length ? `\nconsumer check: ${failures.length} FAILED` : '\nconsumer check: all passed');
process.exit(failures.length ? 1 : 0);
