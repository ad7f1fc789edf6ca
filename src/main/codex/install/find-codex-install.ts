// Finds codex's install the way a user has it, so the runner and the setup helper come from where
// codex itself takes them (bin/codex.exe beside codex-resources/). In order:
//   1. the codexInstall option (codex.exe, the folder holding codex-resources, or the install root);
//   2. `codex` on PATH: a codex.exe (standalone) or npm's shims (codex.cmd / codex.ps1 / codex),
//      followed as npm's shim and @openai/codex's bin/codex.js do (npm-layout.ts);
//   3. the standalone installer's (install.ps1): its visible bin folder, %CODEX_INSTALL_DIR% or else
//      %LOCALAPPDATA%\Programs\OpenAI\Codex\bin, a junction to <CODEX_HOME>\packages\standalone\current\bin
//      (current: a junction to releases\<release>-<target>, holding codex-package.json, bin\codex.exe and
//      codex-resources\), then that `current` folder itself;
//   4. npm's default global prefix, %APPDATA%\npm (a desktop app may start without it on PATH);
//   5. the desktop app's copy of codex, %LOCALAPPDATA%\OpenAI\Codex\bin\<hash>\ (newest first).
// A registered runtime (CODEX_WINDOWS_REGISTERED_CORE=1; app_package.rs) and an app-package install
// (the Store app, under WindowsApps) launch the runner through the package: a CodexInstallError names them.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { hklmKeyExists } from '../../../os/win32/registry';
import { bundledExecutable, isDirectory, isFile, RESOURCES_DIR, RUNNER_EXE, SETUP_HELPER_EXE } from './bundled-executable';
import { CodexInstallError } from './codex-install-error';
import { codexTarget, resolveFromCodexJs, shimTarget } from './npm-layout';
import { placesLooked } from './places-looked';

export interface CodexInstall {
  kind: 'npm' | 'standalone' | 'desktop-app' | 'explicit';
  /** The folder holding bin/ (or codex.exe) and codex-resources/. */
  root: string;
  codexExe?: string;
  /** The codex-resources folder, when there is one. */
  resourcesDir?: string;
  /** codex-command-runner.exe, where codex takes it from (the source of its `.sandbox-bin` copy). */
  runner?: string;
  /** codex-windows-sandbox-setup.exe, as codex's find_setup_exe finds it. */
  setupHelper?: string;
  /** The release, from codex-package.json (or the npm platform package's version). */
  release?: string;
  /** How it was found: `PATH: C:\...\codex.cmd`, `codexInstall option`, ... */
  foundBy: string;
}

export interface CodexInstallLookup {
  install?: CodexInstall;
  /** Every place looked, in order. */
  looked: string[];
  /** Things seen on the way that a person should know (a registered runtime recorded, a shim that leads nowhere). */
  notes: string[];
}

export interface FindCodexInstallOptions {
  /** codex.exe, the folder holding codex-resources, or the install root (absolute). */
  codexInstall?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
}

/** findCodexInstall's answer, or the install it found that this module does not drive: resolved once per session, shared by its steps. */
export type CodexInstallResolution = { lookup: CodexInstallLookup; error?: never } | { error: CodexInstallError; lookup?: never };

/** findCodexInstall, with a CodexInstallError (a registered runtime, the Store app, a bad codexInstall) as a value. */
export async function resolveCodexInstall(options: FindCodexInstallOptions = {}): Promise<CodexInstallResolution> {
  try {
    return { lookup: await findCodexInstall(options) };
  } catch (err) {
    if (err instanceof CodexInstallError) return { error: err };
    throw err;
  }
}

export const REGISTERED_CORE_ENV = 'CODEX_WINDOWS_REGISTERED_CORE';
export const REGISTERED_CORE_KEY = 'SOFTWARE\\OpenAI\\Codex\\WindowsSandboxService\\RegisteredCore';
const MAX_DESKTOP_DIRS = 64;

export async function findCodexInstall(options: FindCodexInstallOptions = {}): Promise<CodexInstallLookup> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const looked: string[] = [];
  const notes: string[] = [];
  if (env[REGISTERED_CORE_ENV] === '1') {
    throw new CodexInstallError(
      'registered-runtime',
      `${REGISTERED_CORE_ENV}=1: codex runs as the desktop app's registered runtime, which launches its runner through the app package's execution alias after its service's setup; this module does not drive that runtime. Unset ${REGISTERED_CORE_ENV}, or name a CLI install of codex with codexInstall (--codex-install)`,
      REGISTERED_CORE_ENV,
    );
  }
  if (options.codexInstall !== undefined) {
    const install = await explicitInstall(options.codexInstall, looked);
    return { install: await checkNotAppPackage(install), looked, notes };
  }
  const exeName = codexTarget(platform, arch)?.exeName ?? (platform === 'win32' ? 'codex.exe' : 'codex');
  const candidates: Array<() => Promise<CodexInstall | undefined>> = [];
  // 2. PATH, in its order; in each folder codex.exe first, then npm's shims (as PATHEXT puts .EXE before .CMD).
  for (const dir of pathDirs(env, platform)) {
    candidates.push(() => fromFolder(dir, exeName, platform, arch, `PATH: ${dir}`, 'standalone', looked, notes));
  }
  if (platform === 'win32') {
    // 3. The standalone installer (install.ps1): its visible bin folder.
    const localAppData = env.LOCALAPPDATA;
    const codexHome = env.CODEX_HOME || (env.USERPROFILE ? path.join(env.USERPROFILE, '.codex') : undefined);
    const current = codexHome ? path.join(codexHome, 'packages', 'standalone', 'current') : undefined;
    const installDirs = [env.CODEX_INSTALL_DIR, localAppData ? path.join(localAppData, 'Programs', 'OpenAI', 'Codex', 'bin') : undefined, current && path.join(current, 'bin'), current];
    for (const dir of installDirs) if (dir && path.isAbsolute(dir)) candidates.push(() => fromFolder(dir, exeName, platform, arch, `standalone installer folder ${dir}`, 'standalone', looked, notes));
    // 4. npm's default global prefix.
    if (env.APPDATA) {
      const prefix = path.join(env.APPDATA, 'npm');
      candidates.push(() => fromFolder(prefix, exeName, platform, arch, `npm's global prefix ${prefix}`, 'standalone', looked, notes));
    }
    // 5. The desktop app's relocated copy of codex.
    if (localAppData) candidates.push(() => desktopAppInstall(path.join(localAppData, 'OpenAI', 'Codex', 'bin'), exeName, looked));
  }
  let install: CodexInstall | undefined;
  for (const next of candidates) {
    install = await next();
    if (install) break;
  }
  if (platform === 'win32' && process.platform === 'win32') {
    const key = `HKLM\\${REGISTERED_CORE_KEY}`;
    looked.push(key);
    const registered = await hklmKeyExists(REGISTERED_CORE_KEY).catch((err: Error) => {
      notes.push(`${key} could not be read: ${err.message}`);
      return false;
    });
    if (registered && !install) {
      throw new CodexInstallError('registered-runtime', `${key} records the desktop app's registered codex runtime, and no CLI install of codex was found (${placesLooked(looked.length)}); this module does not drive the registered runtime: install codex's CLI (npm install -g @openai/codex) or name one with codexInstall (--codex-install)`, key, [...looked]);
    }
    if (registered) notes.push(`${key} exists: the desktop app has a registered codex runtime; this module uses the CLI install found instead`);
  }
  return { ...(install ? { install: await checkNotAppPackage(install) } : {}), looked, notes };
}

function pathDirs(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const raw = env.PATH ?? env.Path ?? Object.entries(env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] ?? '';
  const delimiter = platform === 'win32' && path.delimiter === ';' ? ';' : path.delimiter;
  return [...new Set(raw.split(delimiter).map((d) => d.replace(/^"(.*)"$/, '$1')).filter((d) => d !== '' && path.isAbsolute(d)))];
}

/** A folder on PATH (or a known install folder): codex.exe there, else one of npm's shims. */
async function fromFolder(dir: string, exeName: string, platform: NodeJS.Platform, arch: string, foundBy: string, exeKind: CodexInstall['kind'], looked: string[], notes: string[]): Promise<CodexInstall | undefined> {
  const exe = path.join(dir, exeName);
  looked.push(exe);
  if (platform === 'win32' && (await isFile(exe))) return describeInstall(exeKind, exe, `${foundBy}\\${exeName}`, looked);
  const shims = platform === 'win32' ? ['codex.cmd', 'codex.ps1', 'codex'] : ['codex'];
  for (const name of shims) {
    const shim = path.join(dir, name);
    looked.push(shim);
    const codexJs = await shimTarget(shim);
    if (!codexJs) continue;
    const native = await resolveFromCodexJs(codexJs, platform, arch, looked);
    if (!native) {
      notes.push(`${shim} is npm's shim for ${codexJs}, but the native codex it runs is not there (npm skipped the optional platform package?): reinstall with npm install -g @openai/codex`);
      return undefined;
    }
    return describeInstall('npm', native.codexExe, `${foundBy}${path.sep}${name}`, looked, native.root, native.platformPackage);
  }
  if (platform !== 'win32' && (await isFile(exe))) return describeInstall(exeKind, exe, `${foundBy}/${exeName}`, looked);
  return undefined;
}

async function desktopAppInstall(binRoot: string, exeName: string, looked: string[]): Promise<CodexInstall | undefined> {
  looked.push(path.join(binRoot, '<hash>', exeName));
  const entries = await fs.readdir(binRoot, { withFileTypes: true }).catch(() => []);
  const dirs: Array<{ exe: string; mtime: number }> = [];
  for (const entry of entries.slice(0, MAX_DESKTOP_DIRS)) {
    if (!entry.isDirectory()) continue;
    const exe = path.join(binRoot, entry.name, exeName);
    const stat = await fs.stat(exe).catch(() => undefined);
    if (stat?.isFile()) dirs.push({ exe, mtime: stat.mtimeMs });
  }
  dirs.sort((a, b) => b.mtime - a.mtime);
  const newest = dirs[0];
  return newest ? describeInstall('desktop-app', newest.exe, `the desktop app's folder ${binRoot}`, looked) : undefined;
}

/** The codexInstall option: codex.exe, a folder holding codex-resources (or bin/codex.exe), or the npm prefix/package. */
async function explicitInstall(given: string, looked: string[]): Promise<CodexInstall> {
  if (typeof given !== 'string' || !path.isAbsolute(given)) throw new TypeError(`codexInstall must be an absolute path, got ${JSON.stringify(given)}`);
  looked.push(given);
  const stat = await fs.stat(given).catch(() => undefined);
  const bad = (why: string) =>
    new CodexInstallError('invalid', `codexInstall ${given} ${why}: name codex.exe, the folder that holds codex-resources\\ (codex's install root, e.g. <npm prefix>\\node_modules\\@openai\\codex\\node_modules\\@openai\\codex-win32-x64\\vendor\\x86_64-pc-windows-msvc), or bin\\codex.exe's folder`, given);
  if (!stat) throw bad('does not exist');
  if (stat.isFile()) {
    if (!/\.exe$/i.test(given) && path.basename(given) !== 'codex') throw bad('is a file but not codex.exe');
    return describeInstall('explicit', given, 'codexInstall option', looked);
  }
  if (!stat.isDirectory()) throw bad('is neither a file nor a folder');
  for (const exe of [path.join(given, 'codex.exe'), path.join(given, 'bin', 'codex.exe')]) {
    looked.push(exe);
    if (await isFile(exe)) return describeInstall('explicit', exe, 'codexInstall option', looked, given);
  }
  const resources = path.join(given, RESOURCES_DIR);
  looked.push(resources);
  if (await isDirectory(resources)) return describeInstall('explicit', undefined, 'codexInstall option', looked, given);
  throw bad(`holds neither codex.exe, bin${path.sep}codex.exe nor ${RESOURCES_DIR}${path.sep}`);
}

/** Runner, helper, resources and release of an install, from codex.exe (or its root without one). */
async function describeInstall(kind: CodexInstall['kind'], codexExe: string | undefined, foundBy: string, looked: string[], rootHint?: string, platformPackage?: string): Promise<CodexInstall> {
  let root = rootHint;
  if (!root) {
    // The standalone installer's bin folders are junctions: the install is where the file really is.
    const dir = path.dirname(await fs.realpath(codexExe!).catch(() => codexExe!));
    root = path.basename(dir).toLowerCase() === 'bin' && ((await isDirectory(path.join(path.dirname(dir), RESOURCES_DIR))) || (await isFile(path.join(path.dirname(dir), 'codex-package.json')))) ? path.dirname(dir) : dir;
  }
  const lookup = async (file: string) => {
    if (codexExe) {
      const hit = await bundledExecutable(codexExe, file);
      looked.push(...hit.looked.filter((p) => !looked.includes(p)));
      return hit.found;
    }
    const candidate = path.join(root!, RESOURCES_DIR, file);
    looked.push(candidate);
    return (await isFile(candidate)) ? candidate : undefined;
  };
  const runner = await lookup(RUNNER_EXE);
  const setupHelper = await lookup(SETUP_HELPER_EXE);
  const resourcesDir = [runner, setupHelper].map((f) => f && path.dirname(f)).find((d) => d && path.basename(d) === RESOURCES_DIR) ?? ((await isDirectory(path.join(root, RESOURCES_DIR))) ? path.join(root, RESOURCES_DIR) : undefined);
  const release = await readRelease(root, platformPackage);
  return {
    kind,
    root,
    ...(codexExe ? { codexExe } : {}),
    ...(resourcesDir ? { resourcesDir } : {}),
    ...(runner ? { runner } : {}),
    ...(setupHelper ? { setupHelper } : {}),
    ...(release ? { release } : {}),
    foundBy,
  };
}

/** `version` of codex-package.json (the layout file codex's packages carry), else of the npm platform package. */
async function readRelease(root: string, platformPackage: string | undefined): Promise<string | undefined> {
  for (const file of [path.join(root, 'codex-package.json'), ...(platformPackage ? [path.join(platformPackage, 'package.json')] : [])]) {
    const text = await readSmall(file);
    if (text === undefined) continue;
    try {
      const version = (JSON.parse(text) as { version?: unknown }).version;
      // The platform package's version carries its platform suffix (0.171.0-win32-x64).
      // The release becomes a file name (codex-command-runner-<release>.exe): nothing but a semver with a plain suffix.
      const release = typeof version === 'string' ? version.replace(/-(win32|linux|darwin)-(x64|arm64)$/, '') : undefined;
      if (release !== undefined && isRelease(release)) return release;
    } catch {
      // Not JSON: no release to tell.
    }
  }
  return undefined;
}

/** `1.2.3` or `1.2.3-alpha.4`: semver's characters only (no path separators, no `..`). */
export function isRelease(text: string): boolean {
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(text);
}

async function readSmall(file: string): Promise<string | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile() || stat.size > 64 * 1024) return undefined;
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

/** The Store app's package (under WindowsApps, or an `app\resources` folder of a package with an AppxManifest.xml). */
async function checkNotAppPackage(install: CodexInstall): Promise<CodexInstall> {
  const where = install.codexExe ?? install.root;
  if (/[\\/]WindowsApps[\\/]/i.test(where) || (await isAppPackageResources(install.codexExe ? path.dirname(install.codexExe) : install.root))) {
    throw new CodexInstallError(
      'app-package',
      `codex at ${where} is inside an app package (the Store app, under WindowsApps): its runner runs only through the package's registered runtime, which this module does not drive; install codex's CLI (npm install -g @openai/codex) and name it with codexInstall (--codex-install), or put it first on PATH`,
      where,
    );
  }
  return install;
}

/** Whether an app package's manifest sits above `app\resources` (the Store app's layout, wherever it is staged). */
export async function isAppPackageResources(dir: string): Promise<boolean> {
  return path.basename(dir).toLowerCase() === 'resources' && path.basename(path.dirname(dir)).toLowerCase() === 'app' && isFile(path.join(path.dirname(path.dirname(dir)), 'AppxManifest.xml'));
}
