// Finding codex's install as a user has it, on folders laid out as npm, the standalone installer and
// the desktop app lay them out (the file contents are stand-ins: only names and places matter to the
// lookup; the real npm layout with codex's real files is looked up under Wine in
// test/win32/codex-install-lookup.test.ts). npm's shims are written as npm's cmd-shim writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodexInstallError } from '../../src/main/codex/install/codex-install-error';
import { findCodexInstall, isRelease } from '../../src/main/codex/install/find-codex-install';
import { materializeRunner } from '../../src/main/launch/materialize-runner';
import { nodeModulePaths, shimTarget } from '../../src/main/codex/install/npm-layout';
import { findSetupHelper } from '../../src/main/codex/install/setup-helper';

const TRIPLE = 'x86_64-pc-windows-msvc';
const CMD_SHIM = '@ECHO off\r\nGOTO start\r\n:find_dp0\r\nSET dp0=%~dp0\r\nEXIT /b\r\n:start\r\nSETLOCAL\r\nCALL :find_dp0\r\n\r\nIF EXIST "%dp0%\\node.exe" (\r\n  SET "_prog=%dp0%\\node.exe"\r\n) ELSE (\r\n  SET "_prog=node"\r\n  SET PATHEXT=%PATHEXT:;.JS;=;%\r\n)\r\n\r\nendLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\\node_modules\\@openai\\codex\\bin\\codex.js" %*\r\n';
const SH_SHIM = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\nif [ -x "$basedir/node" ]; then\n  exec "$basedir/node"  "$basedir/node_modules/@openai/codex/bin/codex.js" "$@"\nelse\n  exec node  "$basedir/node_modules/@openai/codex/bin/codex.js" "$@"\nfi\n';
const PS1_SHIM = '#!/usr/bin/env pwsh\n$basedir=Split-Path $MyInvocation.MyCommand.Definition -Parent\n& "node$exe"  "$basedir/node_modules/@openai/codex/bin/codex.js" $args\n';

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'codex-install-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = (p: string, text = 'x') => {
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  return { root, file };
}

/** `npm install -g @openai/codex` on Windows: shims in the prefix, the platform package nested under its alias. */
function npmPrefix(d: ReturnType<typeof scratch>, prefix: string, opts: { nested?: boolean; helper?: boolean; release?: string } = {}) {
  const main = path.join(prefix, 'node_modules', '@openai', 'codex');
  d.file(path.join(prefix, 'codex.cmd'), CMD_SHIM);
  d.file(path.join(prefix, 'codex.ps1'), PS1_SHIM);
  d.file(path.join(prefix, 'codex'), SH_SHIM);
  d.file(path.join(main, 'bin', 'codex.js'), '#!/usr/bin/env node\n');
  d.file(path.join(main, 'package.json'), JSON.stringify({ name: '@openai/codex', version: opts.release ?? '0.171.0' }));
  const platformPackage = opts.nested === false ? path.join(prefix, 'node_modules', '@openai', 'codex-win32-x64') : path.join(main, 'node_modules', '@openai', 'codex-win32-x64');
  d.file(path.join(platformPackage, 'package.json'), JSON.stringify({ name: '@openai/codex', version: `${opts.release ?? '0.171.0'}-win32-x64` }));
  const vendor = path.join(platformPackage, 'vendor', TRIPLE);
  d.file(path.join(vendor, 'codex-package.json'), JSON.stringify({ layoutVersion: 1, version: opts.release ?? '0.171.0', target: TRIPLE, entrypoint: 'bin/codex.exe', resourcesDir: 'codex-resources' }));
  const codexExe = d.file(path.join(vendor, 'bin', 'codex.exe'));
  const runner = d.file(path.join(vendor, 'codex-resources', 'codex-command-runner.exe'));
  const helper = opts.helper === false ? undefined : d.file(path.join(vendor, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  return { prefix, main, platformPackage, vendor, codexExe, runner, helper };
}

test('npm on PATH: codex.cmd leads to @openai/codex, whose codex.js finds the nested platform package: bin/codex.exe, codex-resources, the release', async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'AppData', 'Roaming', 'npm'));
  const empty = path.join(d.root, 'empty');
  mkdirSync(empty);
  const found = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: [empty, npm.prefix].join(path.delimiter) } });
  assert.deepEqual(found.install, {
    kind: 'npm',
    root: npm.vendor,
    codexExe: npm.codexExe,
    resourcesDir: path.join(npm.vendor, 'codex-resources'),
    runner: npm.runner,
    setupHelper: npm.helper,
    release: '0.171.0',
    foundBy: `PATH: ${npm.prefix}${path.sep}codex.cmd`,
  });
  // Every place, in order: the empty folder's codex.exe and shims, then the prefix's, then codex.js's searches.
  assert.deepEqual(found.looked.slice(0, 5), [path.join(empty, 'codex.exe'), path.join(empty, 'codex.cmd'), path.join(empty, 'codex.ps1'), path.join(empty, 'codex'), path.join(npm.prefix, 'codex.exe')]);
  assert.ok(found.looked.includes(path.join(npm.main, 'bin', 'codex.js')));
  assert.ok(found.looked.includes(path.join(npm.platformPackage, 'package.json')));
});

test("codex.js's own search: a hoisted platform package (prefix/node_modules) is found too, as Node's require.resolve finds it", async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'), { nested: false, release: '0.165.0' });
  const found = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: npm.prefix } });
  assert.equal(found.install?.root, npm.vendor);
  assert.equal(found.install?.release, '0.165.0');
  assert.deepEqual(nodeModulePaths(path.join(npm.main, 'bin')).slice(0, 4), [
    path.join(npm.main, 'bin', 'node_modules'),
    path.join(npm.main, 'node_modules'),
    path.join(npm.prefix, 'node_modules', '@openai', 'node_modules'),
    path.join(npm.prefix, 'node_modules'),
  ]);
});

test('each of npm\'s shims (cmd, ps1, sh) names codex.js; anything else is no shim', async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'));
  const codexJs = path.join(npm.main, 'bin', 'codex.js');
  for (const name of ['codex.cmd', 'codex.ps1', 'codex']) assert.equal(await shimTarget(path.join(npm.prefix, name)), codexJs, name);
  assert.equal(await shimTarget(d.file(path.join(d.root, 'other.cmd'), '@echo hello\r\n')), undefined);
  // npm on Linux/macOS: a symbolic link to codex.js.
  const bin = path.join(d.root, 'bin');
  mkdirSync(bin);
  symlinkSync(codexJs, path.join(bin, 'codex'));
  assert.equal(await shimTarget(path.join(bin, 'codex')), codexJs);
});

test('a shim whose platform package npm skipped: no install, and a note says why', async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'));
  rmSync(path.join(npm.platformPackage), { recursive: true });
  const found = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: npm.prefix } });
  assert.equal(found.install, undefined);
  assert.match(found.notes.join('\n'), /codex\.cmd is npm's shim for .*codex\.js, but the native codex it runs is not there/);
  assert.ok(found.looked.includes(path.join(npm.main, 'vendor', TRIPLE, 'bin', 'codex.exe')), "codex.js's vendor fallback was looked at");
});

test('a standalone codex.exe on PATH (bin/ beside codex-resources/), and the installer folder when PATH has none', async (t) => {
  const d = scratch(t);
  const local = path.join(d.root, 'AppData', 'Local');
  const root = path.join(local, 'Programs', 'OpenAI', 'Codex');
  const codexExe = d.file(path.join(root, 'bin', 'codex.exe'));
  const runner = d.file(path.join(root, 'codex-resources', 'codex-command-runner.exe'));
  const helper = d.file(path.join(root, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  const onPath = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: path.join(root, 'bin') } });
  assert.equal(onPath.install?.kind, 'standalone');
  assert.equal(onPath.install?.root, root);
  assert.equal(onPath.install?.runner, runner);
  assert.equal(onPath.install?.setupHelper, helper);
  const fromFolder = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: '', LOCALAPPDATA: local } });
  assert.equal(fromFolder.install?.codexExe, codexExe);
  assert.match(fromFolder.install!.foundBy, /standalone installer folder/);
});

test("the standalone installer's layout (install.ps1): the visible bin a junction to packages\\standalone\\current\\bin, current to releases\\<release>-<target>", async (t) => {
  const d = scratch(t);
  const codexHome = path.join(d.root, 'user', '.codex');
  const release = path.join(codexHome, 'packages', 'standalone', 'releases', `0.171.0-${TRIPLE}`);
  d.file(path.join(release, 'codex-package.json'), JSON.stringify({ layoutVersion: 1, version: '0.171.0', target: TRIPLE }));
  d.file(path.join(release, 'bin', 'codex.exe'));
  const runner = d.file(path.join(release, 'codex-resources', 'codex-command-runner.exe'));
  const helper = d.file(path.join(release, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  const current = path.join(codexHome, 'packages', 'standalone', 'current');
  symlinkSync(release, current, 'junction');
  const local = path.join(d.root, 'Local');
  const visible = path.join(local, 'Programs', 'OpenAI', 'Codex', 'bin');
  mkdirSync(path.dirname(visible), { recursive: true });
  symlinkSync(path.join(current, 'bin'), visible, 'junction');
  for (const env of [{ PATH: visible }, { PATH: '', LOCALAPPDATA: local }, { PATH: '', CODEX_HOME: codexHome }]) {
    const i = (await findCodexInstall({ platform: 'win32', arch: 'x64', env })).install;
    assert.equal(i?.kind, 'standalone', JSON.stringify(env));
    assert.equal(i?.root, release, 'the install is where the junctions lead');
    assert.equal(i?.release, '0.171.0');
    // Found through the junctions (as codex's own lookup tries first), the same files.
    assert.equal(realpathSync(i!.runner!), runner);
    assert.equal(realpathSync(i!.setupHelper!), helper);
  }
});

test("a codex.exe with codex-resources beside it (the layout find_setup_exe's comment names) and the desktop app's newest bin/<hash>", async (t) => {
  const d = scratch(t);
  const flat = path.join(d.root, 'flat');
  d.file(path.join(flat, 'codex.exe'));
  const flatHelper = d.file(path.join(flat, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  assert.equal((await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: flat } })).install?.setupHelper, flatHelper);

  const local = path.join(d.root, 'Local');
  const bin = path.join(local, 'OpenAI', 'Codex', 'bin');
  d.file(path.join(bin, 'aaaa', 'codex.exe'));
  const newest = d.file(path.join(bin, 'bbbb', 'codex.exe'));
  const past = new Date(Date.now() - 3600_000);
  (await import('node:fs')).utimesSync(path.join(bin, 'aaaa', 'codex.exe'), past, past);
  const found = await findCodexInstall({ platform: 'win32', arch: 'x64', env: { PATH: '', LOCALAPPDATA: local } });
  assert.equal(found.install?.kind, 'desktop-app');
  assert.equal(found.install?.codexExe, newest);
  assert.equal(found.install?.runner, undefined, 'no codex-resources there: said as missing, not guessed');
  assert.ok(found.looked.includes(path.join(bin, '<hash>', 'codex.exe')));
});

test('the codexInstall option: codex.exe, the vendor root, or a bare codex-resources folder; anything else is a CodexInstallError', async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'));
  for (const given of [npm.codexExe, npm.vendor]) {
    const found = await findCodexInstall({ codexInstall: given, platform: 'win32', env: { PATH: '' } });
    assert.equal(found.install?.kind, 'explicit');
    assert.equal(found.install?.root, npm.vendor, given);
    assert.equal(found.install?.setupHelper, npm.helper);
    assert.equal(found.install?.release, '0.171.0');
  }
  const bare = path.join(d.root, 'bare');
  const bareHelper = d.file(path.join(bare, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  const fromBare = await findCodexInstall({ codexInstall: bare, platform: 'win32', env: {} });
  assert.equal(fromBare.install?.codexExe, undefined);
  assert.equal(fromBare.install?.setupHelper, bareHelper);
  await assert.rejects(findCodexInstall({ codexInstall: path.join(d.root, 'absent'), env: {} }), (e: unknown) => e instanceof CodexInstallError && e.problem === 'invalid' && /does not exist/.test(e.message));
  await assert.rejects(findCodexInstall({ codexInstall: d.root, env: {} }), (e: unknown) => e instanceof CodexInstallError && /holds neither codex\.exe/.test(e.message));
  await assert.rejects(findCodexInstall({ codexInstall: 'relative/codex.exe', env: {} }), TypeError);
});

test('registered runtime (CODEX_WINDOWS_REGISTERED_CORE=1) and the Store app (WindowsApps, app\\resources with AppxManifest.xml) fail naming them', async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'));
  await assert.rejects(findCodexInstall({ platform: 'win32', env: { PATH: npm.prefix, CODEX_WINDOWS_REGISTERED_CORE: '1' } }), (e: unknown) => e instanceof CodexInstallError && e.problem === 'registered-runtime' && /CODEX_WINDOWS_REGISTERED_CORE=1/.test(e.message));
  const store = path.join(d.root, 'Program Files', 'WindowsApps', 'OpenAI.Codex_26.908.4834.0_x64__abc');
  d.file(path.join(store, 'app', 'resources', 'codex.exe'));
  await assert.rejects(findCodexInstall({ platform: 'win32', env: { PATH: path.join(store, 'app', 'resources') } }), (e: unknown) => e instanceof CodexInstallError && e.problem === 'app-package' && /WindowsApps/.test(e.message));
  const staged = path.join(d.root, 'D', 'Codex');
  d.file(path.join(staged, 'AppxManifest.xml'));
  const stagedExe = d.file(path.join(staged, 'app', 'resources', 'codex.exe'));
  await assert.rejects(findCodexInstall({ codexInstall: stagedExe, platform: 'win32', env: {} }), (e: unknown) => e instanceof CodexInstallError && e.problem === 'app-package');
});

test("the setup helper: the option alone when given; else the install's, beside the runner, the home's .sandbox-bin copy, PATH", async (t) => {
  const d = scratch(t);
  const npm = npmPrefix(d, path.join(d.root, 'npm'), { helper: false });
  const home = path.join(d.root, 'home');
  const install = (await findCodexInstall({ platform: 'win32', env: { PATH: npm.prefix } })).install!;
  assert.equal(install.setupHelper, undefined);
  const onPath = path.join(d.root, 'tools');
  const none = await findSetupHelper({ codexHome: home, install, runnerFile: path.join(home, '.sandbox-bin', 'codex-command-runner-0.171.0.exe'), env: { PATH: onPath } });
  assert.equal(none.found, undefined);
  assert.deepEqual(none.looked, [
    path.join(npm.vendor, 'bin', 'codex-windows-sandbox-setup.exe'),
    path.join(npm.vendor, 'codex-resources', 'codex-windows-sandbox-setup.exe'),
    path.join(npm.vendor, 'bin', 'codex-resources', 'codex-windows-sandbox-setup.exe'),
    path.join(home, '.sandbox-bin', 'codex-windows-sandbox-setup.exe'),
    path.join(onPath, 'codex-windows-sandbox-setup.exe'),
  ]);
  const pathHelper = d.file(path.join(onPath, 'codex-windows-sandbox-setup.exe'));
  assert.equal((await findSetupHelper({ codexHome: home, install, env: { PATH: onPath } })).found, pathHelper);
  const copy = d.file(path.join(home, '.sandbox-bin', 'codex-windows-sandbox-setup.exe'));
  assert.equal((await findSetupHelper({ codexHome: home, install, env: { PATH: onPath } })).found, copy);
  const shipped = d.file(path.join(npm.vendor, 'codex-resources', 'codex-windows-sandbox-setup.exe'));
  assert.equal((await findSetupHelper({ codexHome: home, install, env: { PATH: onPath } })).found, shipped, "the install's own helper comes first, as codex takes it");
  const explicit = path.join(d.root, 'absent.exe');
  assert.deepEqual(await findSetupHelper({ codexHome: home, install, explicit, env: { PATH: onPath } }), { looked: [explicit] });
});

test('the release is fully checked before it names a file: a version with a path in it gives no release; a pre-release suffix is kept', async (t) => {
  const d = scratch(t);
  const release = async (version: string) => {
    const root = path.join(d.root, `r${Math.random().toString(36).slice(2)}`);
    d.file(path.join(root, 'codex-package.json'), JSON.stringify({ layoutVersion: 1, version }));
    d.file(path.join(root, 'codex-resources', 'codex-command-runner.exe'));
    return (await findCodexInstall({ codexInstall: root, platform: 'win32', env: {} })).install?.release;
  };
  assert.equal(await release('0.171.0'), '0.171.0');
  assert.equal(await release('0.172.0-alpha.3'), '0.172.0-alpha.3');
  for (const bad of ['0.171.0/../../evil', '0.171.0\\..\\evil', '0.171.0-a/b', '0.171.0 x', '0.171.0-', '0.171.0-a..b', '0.171.0:x']) {
    assert.equal(await release(bad), undefined, bad);
  }
  assert.equal(isRelease('0.171.0-rc-1.2'), true);
  await assert.rejects(materializeRunner({ source: process.execPath, codexHome: d.root, destName: '../codex-command-runner-x.exe' }), /not a plain file name/);
  assert.equal(existsSync(path.join(d.root, 'codex-command-runner-x.exe')), false);
});
