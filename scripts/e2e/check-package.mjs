// The packaging check: an electron-builder `--dir` build of build/electron-builder.yml, then
// assertions on what the packed app contains, the Electron fuses included. Needs `npm run build`
// first. Leaves nothing behind (temp dir removed). Usage: node scripts/e2e/check-package.mjs [--keep]
// - Linux/macOS (no Electron download here): a Linux build against a STAND-IN electronDist (a folder
//   with a script named `electron` standing in for the binary).
// - Windows: a Windows build against the REAL Electron binary (node_modules/electron/dist, which
//   scripts/setup.sh fetches); the fuses are read back from the packed .exe, and the packed binary
//   then runs the shipped runner as Node (ELECTRON_RUN_AS_NODE) through a real session.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

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

for (const built of ['dist/electron/main/main.js', 'dist/electron/preload/preload.bundle.js', 'dist/renderer/panel.bundle.js', 'dist/runner/codex-command-runner.js', 'dist/runner/codex-runner-launcher.js']) {
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

  const builder = spawnSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--config', 'build/electron-builder.yml', target, 'dir', '--x64', `-c.electronDist=${electronDist}`, `-c.directories.output=${out}`],
    { cwd: repo, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 600_000 },
  );
  check(builder.status === 0, `electron-builder ${target} --dir exited 0 (got ${builder.status ?? builder.signal})`);

  const resources = path.join(unpacked, 'resources');
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

  const packedBinary = await checkFuses(unpacked);

  const runner = path.join(resources, 'runner', 'codex-command-runner.js');
  check(existsSync(runner) && readFileSync(runner).equals(readFileSync(path.join(repo, 'dist/runner/codex-command-runner.js'))), 'resources/runner/codex-command-runner.js is the built runner, byte for byte');
  const launcher = path.join(resources, 'runner', 'codex-runner-launcher.js');
  check(existsSync(launcher) && readFileSync(launcher).equals(readFileSync(path.join(repo, 'dist/runner/codex-runner-launcher.js'))), 'resources/runner/codex-runner-launcher.js is the built launcher, byte for byte');
  if (windows && packedBinary) await checkPackedRunner(packedBinary, runner, resources);
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
  const { SessionManager } = require(path.join(repo, 'dist', 'src', 'session', 'session-manager.js'));
  const cmd = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'cmd.exe');
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: [cmd, '/d', '/c', 'echo packaged runner & exit 6'],
      runner: { exe: binary, args: [runner], env: { ELECTRON_RUN_AS_NODE: '1', NODE_PATH: path.join(resources, 'app.asar.unpacked', 'node_modules') }, kind: 'bundled' },
      allowUnenforcedPolicy: true,
      connectTimeoutMs: 60_000,
      spawnReadyTimeoutMs: 60_000,
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
