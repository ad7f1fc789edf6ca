// The packaging check runnable without an Electron download: an electron-builder `--dir` build of
// build/electron-builder.yml for Linux against a STAND-IN electronDist (a folder with a script named
// `electron` standing in for the binary that cannot be downloaded here), then assertions on what
// the packed app contains. Needs `npm run build` first. Leaves nothing behind (temp dir removed).
// Usage: node scripts/e2e/check-package.mjs [--keep]
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');
const repo = path.resolve(import.meta.dirname, '..', '..');
const keep = process.argv.includes('--keep');
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

for (const built of ['dist/electron/main/main.js', 'dist/electron/preload/preload.bundle.js', 'dist/renderer/panel.bundle.js', 'dist/runner/codex-command-runner.js']) {
  if (!existsSync(path.join(repo, built))) {
    console.error(`${built} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'runner-pipes-package-'));
try {
  // The stand-in for Electron's Linux dist: only what electron-builder copies and renames.
  const standIn = path.join(work, 'electron-dist-stand-in');
  mkdirSync(path.join(standIn, 'resources'), { recursive: true });
  writeFileSync(path.join(standIn, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary (none can be downloaded here)" >&2\nexit 1\n');
  chmodSync(path.join(standIn, 'electron'), 0o755);
  writeFileSync(path.join(standIn, 'LICENSE'), 'stand-in\n');
  const out = path.join(work, 'release');

  const builder = spawnSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--config', 'build/electron-builder.yml', '--linux', 'dir', '--x64', `-c.electronDist=${standIn}`, `-c.directories.output=${out}`],
    { cwd: repo, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 300_000 },
  );
  check(builder.status === 0, `electron-builder --dir exited 0 (got ${builder.status ?? builder.signal})`);

  const resources = path.join(out, 'linux-unpacked', 'resources');
  const archive = path.join(resources, 'app.asar');
  check(existsSync(archive), 'resources/app.asar exists');
  if (existsSync(archive)) {
    const files = new Set(asar.listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/').replace(/^\//, '')));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
    check(pkg.main === 'dist/electron/main/main.js', `packed package.json main is the Electron entry (${pkg.main})`);
    for (const f of ['dist/electron/main/main.js', 'dist/electron/preload/preload.bundle.js', 'dist/renderer/index.html', 'dist/renderer/panel.css', 'dist/renderer/panel.bundle.js', 'dist/src/index.js', 'dist/src/session/session-manager.js']) {
      check(files.has(f), `asar has ${f}`);
    }
    check(![...files].some((f) => f.endsWith('.map') || f.endsWith('.d.ts') || f.startsWith('dist/test/')), 'asar has no source maps, declarations or tests');
    check(!files.has('dist/electron/preload/preload.js'), 'asar has only the bundled preload');

    // Every relative require of the packed main-process code resolves inside the asar (the
    // `files` globs dropped nothing the entry needs).
    const missing = [];
    let resolved = 0;
    for (const f of files) {
      if (!f.startsWith('dist/') || !f.endsWith('.js') || f.startsWith('dist/renderer/')) continue;
      const text = asar.extractFile(archive, f).toString('utf8');
      for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]));
        if ([target, `${target}.js`, `${target}/index.js`].some((t) => files.has(t))) resolved++;
        else missing.push(`${f} -> ${m[1]}`);
      }
    }
    check(resolved > 0 && missing.length === 0, `all ${resolved} relative requires resolve inside the asar${missing.length ? `: ${missing.join(', ')}` : ''}`);

    // koffi: JS in the asar index, native module unpacked beside it.
    const nativeName = `@koromix/koffi-${process.platform}-${process.arch}`;
    const header = asar.getRawHeader(archive).header;
    const entry = (p) => p.split('/').reduce((node, part) => node?.files?.[part], header);
    const nativeDir = `node_modules/${nativeName}`;
    const nativeFiles = [...files].filter((f) => f.startsWith(nativeDir + '/') && f.endsWith('.node'));
    check(nativeFiles.length > 0, `${nativeName} native module is packed`);
    for (const f of nativeFiles) {
      check(entry(f)?.unpacked === true && existsSync(path.join(resources, 'app.asar.unpacked', f)), `${f} is unpacked to app.asar.unpacked`);
    }
    check(existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'koffi', 'package.json')), 'koffi itself is unpacked');
  }

  const runner = path.join(resources, 'runner', 'codex-command-runner.js');
  check(existsSync(runner) && readFileSync(runner).equals(readFileSync(path.join(repo, 'dist/runner/codex-command-runner.js'))), 'resources/runner/codex-command-runner.js is the built runner, byte for byte');
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(failures.length ? `\npackage check: ${failures.length} FAILED` : '\npackage check: all passed');
process.exit(failures.length ? 1 : 0);
