// The packaging check: an app that embeds this package, built with electron-builder `--dir`, then
// assertions on what the packed app holds, the Electron fuses included. The app is a CONSUMER, not
// this repo: a fresh project that installed the packed tarball (consumer-project.mjs), whose main
// process and electron-builder config are the two examples in docs/electron.md, as written there.
// Needs `npm run build` first. Leaves nothing behind (temp dir removed).
// Usage: node scripts/e2e/check-package.mjs [--keep]
// - Linux/macOS (no Electron download here): a Linux build against a STAND-IN electronDist (a folder
//   with a script named `electron` standing in for the binary); then the packed app's own copy of
//   the embedding API says where the runner, the launcher and koffi are, and a real session (node
//   standing in for the app binary in Node mode) runs through exactly those files.
// - Windows: a Windows build against the REAL Electron binary (node_modules/electron/dist, which
//   scripts/setup.sh fetches); the fuses are read back from the packed .exe, and the packed binary
//   then runs the shipped runner as Node (ELECTRON_RUN_AS_NODE) through a real session.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { examplesIn, installConsumer, packTarball } from './consumer-project.mjs';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');
// The same @electron/fuses electron-builder flips the fuses with (it is its dependency).
// Its index exports the names (FuseV1Options, FuseVersion); the sentinel and the state bytes live in
// its constants module, which it does not re-export.
const fuses = { ...require('@electron/fuses'), ...require('@electron/fuses/dist/constants') };
const repo = path.resolve(import.meta.dirname, '..', '..');
const keep = process.argv.includes('--keep');
const windows = process.platform === 'win32';
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const PKG = 'node_modules/codex-runner-ipc';

for (const built of ['dist/electron/main/index.js', 'dist/electron/preload/preload.bundle.js', 'dist/renderer/panel.bundle.js', 'dist/runner/codex-command-runner.js', 'dist/runner/codex-runner-launcher.js']) {
  if (!existsSync(path.join(repo, built))) {
    console.error(`${built} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}

// Windows: the real binary, found as node_modules/electron/index.js finds it (without requiring it,
// which would download it).
let realElectronDist;
if (windows) {
  const pathTxt = path.join(repo, 'node_modules', 'electron', 'path.txt');
  const named = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  realElectronDist = path.join(repo, 'node_modules', 'electron', 'dist');
  if (!named || !existsSync(path.join(realElectronDist, named))) {
    check(false, `the Electron binary is installed (node_modules/electron/dist${named ? `/${named}` : ''} is missing: bash scripts/setup.sh fetches it)`);
    console.log('\npackage check: 1 FAILED');
    process.exit(1);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'runner-pipes-package-'));
try {
  // The consumer app: the tarball installed, its two files taken from docs/electron.md.
  const app = path.join(work, 'app');
  const install = installConsumer(app, packTarball(path.join(work, 'pkg')), { main: 'main.js' });
  check(install.status === 0, `the consumer app installed the packed tarball (npm ci --offline exit ${install.status})${install.status ? `: ${install.stderr.slice(-1500)}` : ''}`);
  if (install.status !== 0) throw new Error('install failed');
  const examples = examplesIn(path.join(repo, 'docs', 'electron.md'));
  for (const file of ['main.js', 'electron-builder.config.cjs']) {
    check(examples.has(file), `docs/electron.md shows the app's ${file} (a fenced block starting "// ${file}")`);
    if (examples.has(file)) writeFileSync(path.join(app, file), examples.get(file));
  }
  const installed = path.join(app, ...PKG.split('/'));

  const out = path.join(work, 'release');
  let electronDist = realElectronDist;
  if (!windows) {
    // The stand-in for Electron's Linux dist: only what electron-builder copies, renames and flips.
    electronDist = path.join(work, 'electron-dist-stand-in');
    mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
    writeFileSync(path.join(electronDist, 'electron'), standInBinary());
    chmodSync(path.join(electronDist, 'electron'), 0o755);
    writeFileSync(path.join(electronDist, 'LICENSE'), 'stand-in\n');
  }
  const target = windows ? '--win' : '--linux';
  const unpacked = path.join(out, windows ? 'win-unpacked' : 'linux-unpacked');
  // An app has electron among its devDependencies; this one is told the version instead.
  const electronVersion = JSON.parse(readFileSync(path.join(repo, 'node_modules', 'electron', 'package.json'), 'utf8')).version;

  const builder = spawnSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--config', 'electron-builder.config.cjs', target, 'dir', '--x64', `-c.electronVersion=${electronVersion}`, `-c.electronDist=${electronDist}`, `-c.directories.output=${out}`],
    { cwd: app, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 600_000 },
  );
  check(builder.status === 0, `electron-builder ${target} --dir of the consumer app exited 0 (got ${builder.status ?? builder.signal})`);

  const resources = path.join(unpacked, 'resources');
  const archive = path.join(resources, 'app.asar');
  check(existsSync(archive), 'resources/app.asar exists');
  if (existsSync(archive)) {
    const files = new Set(asar.listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/').replace(/^\//, '')));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
    check(pkg.main === 'main.js' && files.has('main.js'), `the packed app's entry is the consumer's main.js (${pkg.main})`);
    for (const f of ['dist/electron/main/index.js', 'dist/electron/main/app-runner.js', 'dist/electron/preload/preload.bundle.js', 'dist/renderer/index.html', 'dist/renderer/panel.css', 'dist/renderer/panel.bundle.js', 'dist/src/main/index.js', 'dist/src/main/session/session-manager.js']) {
      check(files.has(`${PKG}/${f}`), `asar has ${PKG}/${f}`);
    }
    check(![...files].some((f) => f.endsWith('.map') || f.includes('/dist/test/')), 'asar has no source maps or tests');

    // Every relative require of the packed package resolves inside the asar.
    const missing = [];
    let resolved = 0;
    for (const f of files) {
      if (!f.startsWith(`${PKG}/dist/`) || !f.endsWith('.js') || f.startsWith(`${PKG}/dist/renderer/`)) continue;
      const text = asar.extractFile(archive, f).toString('utf8');
      for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]));
        if ([target, `${target}.js`, `${target}/index.js`].some((t) => files.has(t))) resolved++;
        else missing.push(`${f} -> ${m[1]}`);
      }
    }
    check(resolved > 0 && missing.length === 0, `all ${resolved} relative requires of the packed package resolve inside the asar${missing.length ? `: ${missing.join(', ')}` : ''}`);

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

  const packedBinary = await checkFuses(unpacked);

  const runner = path.join(resources, 'runner', 'codex-command-runner.js');
  check(existsSync(runner) && readFileSync(runner).equals(readFileSync(path.join(installed, 'dist/runner/codex-command-runner.js'))), 'resources/runner/codex-command-runner.js is the installed package\'s runner, byte for byte');
  const launcher = path.join(resources, 'runner', 'codex-runner-launcher.js');
  check(existsSync(launcher) && readFileSync(launcher).equals(readFileSync(path.join(installed, 'dist/runner/codex-runner-launcher.js'))), 'resources/runner/codex-runner-launcher.js is the installed package\'s launcher, byte for byte');
  if (windows && packedBinary) await checkPackedRunner(packedBinary, runner, resources);
  if (!windows && existsSync(archive)) await checkWhereTheEmbeddingLooks(resources, path.join(work, 'opened'));
} catch (err) {
  check(false, `the check ran to its end: ${err.stack ?? err}`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(failures.length ? `\npackage check: ${failures.length} FAILED` : '\npackage check: all passed');
process.exit(failures.length ? 1 : 0);

/**
 * The fuse wire Electron's binary starts with (Electron's own defaults, build/fuses.json5 in its
 * source), by @electron/fuses' names. The stand-in carries it so the flips are real: every fuse the
 * config sets to the opposite of its default is proven to have been written.
 */
function electronDefaultWire() {
  const { FuseV1Options: O } = fuses;
  return {
    [O.RunAsNode]: true,
    [O.EnableCookieEncryption]: false,
    [O.EnableNodeOptionsEnvironmentVariable]: true,
    [O.EnableNodeCliInspectArguments]: true,
    [O.EnableEmbeddedAsarIntegrityValidation]: false,
    [O.OnlyLoadAppFromAsar]: false,
    [O.LoadBrowserProcessSpecificV8Snapshot]: false,
    [O.GrantFileProtocolExtraPrivileges]: true,
  };
}

/** The fuses build/electron-builder.yml asks for, by @electron/fuses' names. */
function expectedFuses() {
  const { FuseV1Options: O } = fuses;
  return {
    [O.RunAsNode]: true, // the runner runs as ELECTRON_RUN_AS_NODE=1 <app binary> runner.js
    [O.EnableCookieEncryption]: true,
    [O.EnableNodeOptionsEnvironmentVariable]: false,
    [O.EnableNodeCliInspectArguments]: false,
    [O.EnableEmbeddedAsarIntegrityValidation]: true,
    [O.OnlyLoadAppFromAsar]: true,
    [O.GrantFileProtocolExtraPrivileges]: false,
  };
}

/**
 * The STAND-IN for Electron's binary: a shell script that says what it is and fails, carrying on a
 * comment line the fuse wire @electron/fuses looks for: its sentinel, the wire version, the wire
 * length, then one state byte per fuse (FuseState ENABLE/DISABLE are the bytes '1'/'0').
 */
function standInBinary() {
  const { SENTINEL, FuseState, FuseVersion } = fuses;
  const defaults = electronDefaultWire();
  const states = Object.keys(defaults).map(Number).sort((a, b) => a - b).map((i) => (defaults[i] ? FuseState.ENABLE : FuseState.DISABLE));
  const wire = Buffer.concat([Buffer.from(SENTINEL, 'latin1'), Buffer.from([Number(FuseVersion.V1), states.length, ...states])]);
  return Buffer.concat([
    Buffer.from('#!/bin/sh\n# stand-in for the Electron binary (none can be downloaded here); the next line is its fuse wire\n# '),
    wire,
    Buffer.from('\necho "stand-in for the Electron binary (none can be downloaded here)" >&2\nexit 1\n'),
  ]);
}

/**
 * Reads the fuses back from the packed (renamed) binary and checks each one: the stand-in on Linux,
 * the real Electron .exe on Windows. Returns the binary's path.
 */
async function checkFuses(appOutDir) {
  const { FuseState, FuseV1Options: O } = fuses;
  const name = (i) => O[i];
  const stateName = (b) => FuseState[b] ?? `unknown state ${b}`;
  // electron-builder renames the binary to the executable name; only the app binary carries the wire.
  const candidates = readdirSync(appOutDir, { withFileTypes: true }).filter((e) => e.isFile() && (!windows || e.name.toLowerCase().endsWith('.exe')));
  const binaries = candidates.filter((e) => readFileSync(path.join(appOutDir, e.name)).includes(fuses.SENTINEL)).map((e) => e.name);
  const what = windows ? 'the renamed electron.exe' : 'the renamed stand-in';
  check(binaries.length === 1, `exactly one binary in ${path.basename(appOutDir)} carries the fuse wire (${what}): ${binaries.join(', ') || 'none'}`);
  if (binaries.length !== 1) return undefined;
  const binary = path.join(appOutDir, binaries[0]);
  if (windows) {
    const head = readFileSync(binary).subarray(0, 2).toString('latin1');
    check(head === 'MZ' && binaries[0].toLowerCase() !== 'electron.exe', `${binaries[0]} is a Windows executable, electron.exe renamed after the product (the real Electron binary)`);
  } else {
    check(readFileSync(binary, 'utf8').includes('stand-in for the Electron binary'), `${binaries[0]} is the stand-in, not a real Electron binary`);
  }
  const wire = await fuses.getCurrentFuseWire(binary);
  const defaults = electronDefaultWire();
  for (const [index, want] of Object.entries(expectedFuses())) {
    const got = wire[index];
    const wantState = want ? FuseState.ENABLE : FuseState.DISABLE;
    const how = defaults[index] === want ? 'kept at the default' : 'flipped from the default';
    check(got === wantState, `fuse ${name(index)} is ${stateName(wantState)} (${how}; read back ${stateName(got)})`);
  }
  // Not set in the config: left as Electron ships it.
  const v8 = O.LoadBrowserProcessSpecificV8Snapshot;
  check(wire[v8] === FuseState.DISABLE, `fuse ${name(v8)} is left at its default DISABLE (read back ${stateName(wire[v8])})`);
  return binary;
}

/**
 * Windows: the packed binary is the runner's runtime, as in the installed app: a real session
 * (this package's built SessionManager, named pipes) launches `<app>.exe` with ELECTRON_RUN_AS_NODE
 * running the shipped runner, which runs cmd.exe. Proves the RunAsNode fuse is on in the packed
 * .exe, the runner resource runs under it, and koffi loads from app.asar.unpacked.
 */
async function checkPackedRunner(binary, runner, resources) {
  const { SessionManager } = require(path.join(resources, '..', '..', '..', 'app', ...PKG.split('/'), 'dist', 'src', 'main', 'index.js'));
  const cmd = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'cmd.exe');
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: [cmd, '/d', '/c', 'echo packaged runner & exit 6'],
      runner: { kind: 'custom', spec: { exe: binary, args: [runner], env: { ELECTRON_RUN_AS_NODE: '1', NODE_PATH: path.join(resources, 'app.asar.unpacked', 'node_modules') }, kind: 'bundled' }, allowUnenforcedPolicy: true },
      timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 },
      timeoutMs: 120_000,
    });
    let stdout = '';
    session.stdout.on('data', (d) => (stdout += d));
    session.stderr.resume();
    const result = await session.exited;
    const status = session.status();
    check(result.state === 'exited' && result.exitCode === 6, `a session whose runner is the packed ${path.basename(binary)} (ELECTRON_RUN_AS_NODE) runs cmd.exe and reports its exit code 6 (got ${result.state} ${result.exitCode}${result.error ? `: ${result.error.message}` : ''})`);
    check(stdout.trim() === 'packaged runner', `its output came back over the named pipes (got ${JSON.stringify(stdout)})`);
    check(/^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-in$/.test(status.pipes.in?.name ?? ''), `its pipes are named pipes (${status.pipes.in?.name})`);
  } finally {
    await manager.dispose();
  }
}

/**
 * Linux/macOS: the packed app opened as Electron sees it (app.asar read as a folder, app.asar.unpacked
 * and runner/ beside it), then the packed copy of the embedding API asked where the runner, the
 * launcher and koffi are, as the app's main.js asks it; every answer must be a packed file. A real
 * tty session (the PTY needs koffi) then runs through exactly those files: the packed runner,
 * started by the packed launcher, koffi loaded from app.asar.unpacked.
 */
async function checkWhereTheEmbeddingLooks(resources, opened) {
  asar.extractAll(path.join(resources, 'app.asar'), path.join(opened, 'app.asar'));
  cpSync(path.join(resources, 'app.asar.unpacked'), path.join(opened, 'app.asar.unpacked'), { recursive: true });
  cpSync(path.join(resources, 'runner'), path.join(opened, 'runner'), { recursive: true });
  const appRequire = createRequire(path.join(opened, 'app.asar', 'main.js'));
  // The docs' main.js cannot run here (no Electron), but every name it takes from this package is
  // exported by the packed file it resolves to.
  const mainJs = readFileSync(path.join(opened, 'app.asar', 'main.js'), 'utf8');
  const syntax = spawnSync(process.execPath, ['--check', path.join(opened, 'app.asar', 'main.js')], { encoding: 'utf8' });
  check(syntax.status === 0, `the packed main.js parses${syntax.status ? `: ${syntax.stderr}` : ''}`);
  for (const m of mainJs.matchAll(/const \{([^}]+)\} = require\('(codex-runner-ipc[^']*)'\)/g)) {
    const file = appRequire.resolve(m[2]);
    const text = readFileSync(file, 'utf8');
    const names = m[1].split(',').map((n) => n.trim()).filter(Boolean);
    const absent = names.filter((n) => !text.includes(`exports, "${n}"`) && !text.includes(`exports.${n} =`));
    check(file.startsWith(path.join(opened, 'app.asar', PKG.split('/').join(path.sep))) && absent.length === 0, `main.js's require('${m[2]}') resolves in the packed app (${path.relative(opened, file)}) and exports ${names.join(', ')}${absent.length ? `; missing: ${absent.join(', ')}` : ''}`);
  }
  // The packed files behind `./electron`'s configureAppRunner: app-runner.js and the paths it uses
  // import no `electron`, so plain Node loads them here (the entry itself needs Electron).
  const packedElectronMain = path.join(opened, 'app.asar', ...PKG.split('/'), 'dist', 'electron', 'main');
  const { configureAppRunner } = appRequire(path.join(packedElectronMain, 'app-runner.js'));
  const { launcherScript } = appRequire(path.join(packedElectronMain, 'app-paths.js'));
  const { SessionManager } = appRequire('codex-runner-ipc');
  const { runner, launcher } = configureAppRunner({ isPackaged: true, resourcesPath: opened });
  const { spec } = runner;
  const unpackedModules = path.join(opened, 'app.asar.unpacked', 'node_modules');
  check(spec.args?.[0] === path.join(opened, 'runner', 'codex-command-runner.js') && existsSync(spec.args[0]), `configureAppRunner() runs resources/runner/codex-command-runner.js (${spec.args?.[0]})`);
  check(launcherScript({ resourcesPath: opened }) === path.join(opened, 'runner', 'codex-runner-launcher.js') && existsSync(launcherScript({ resourcesPath: opened })), 'its launcher is resources/runner/codex-runner-launcher.js');
  const [koffiRoot, koffiNative] = spec.carry ?? [];
  check(koffiRoot === path.join(unpackedModules, 'koffi') && existsSync(path.join(koffiRoot, 'package.json')), `it takes koffi from app.asar.unpacked (${koffiRoot})`);
  check(koffiNative === path.join(unpackedModules, '@koromix', `koffi-${process.platform}-${process.arch}`) && readdirSync(koffiNative, { recursive: true }).some((f) => String(f).endsWith('.node')), `and koffi's native package from there (${koffiNative})`);
  check(spec.env?.NODE_PATH?.split(path.delimiter)[0] === unpackedModules, `the runner finds koffi through NODE_PATH=${spec.env?.NODE_PATH?.split(path.delimiter)[0]}`);

  const manager = new SessionManager({ defaults: { runner }, launcher });
  try {
    const session = manager.start({ command: ['sh', '-c', 'test -t 0 && echo "on a tty"; exit 7'], tty: true, timeoutMs: 120_000 });
    let output = '';
    session.onData((data) => (output += data));
    const result = await session.exited;
    const launcherPid = manager.launcherPid();
    check(result.exitCode === 7 && output.includes('on a tty'), `a tty session through the packed runner exits 7 on a terminal (got ${result.state} ${result.exitCode} ${JSON.stringify(output)}${result.error ? `: ${result.error.message}` : ''})`);
    check(session.status().runner?.file === spec.args[0], `the runner launched was the packed one (${session.status().runner?.file})`);
    const launcherCmd = launcherPid && existsSync(`/proc/${launcherPid}/cmdline`) ? readFileSync(`/proc/${launcherPid}/cmdline`, 'utf8').split('\0') : null;
    if (launcherCmd) check(launcherCmd.includes(path.join(opened, 'runner', 'codex-runner-launcher.js')), `the launcher running is the packed one (pid ${launcherPid}: ${launcherCmd.join(' ')})`);
    else console.log(`skip which launcher ran: no /proc here (launcher pid ${launcherPid})`);
  } finally {
    await manager.dispose();
  }
}
