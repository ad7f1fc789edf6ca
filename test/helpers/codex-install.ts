// The real codex install the set-up lays out as `npm install -g @openai/codex` does on Windows
// (scripts/wine/codex-install.sh, under .cache/codex-install/). Missing files are a broken set-up,
// so this throws (naming the file and the fix) instead of letting a test skip.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const CODEX_INSTALL_ROOT = path.join(repoRoot, '.cache', 'codex-install');

export interface NpmCodexInstall {
  /** e.g. "0.171.0" */
  release: string;
  /** npm's global prefix (%APPDATA%\npm): holds the shims; the folder a user has on PATH */
  prefix: string;
  /** npm's shims for the `codex` bin */
  shims: { cmd: string; ps1: string; sh: string };
  /** node_modules/@openai/codex: package.json and bin/codex.js */
  mainPackage: string;
  codexJs: string;
  /** node_modules/@openai/codex/node_modules/@openai/codex-win32-x64 (the optional dependency's alias) */
  platformPackage: string;
  /** <platformPackage>/vendor/x86_64-pc-windows-msvc */
  vendor: string;
  codexExe: string;
  resourcesDir: string;
  runner: string;
  setupHelper: string;
}

export function npmCodexInstall(): NpmCodexInstall {
  const releaseFile = path.join(CODEX_INSTALL_ROOT, 'release');
  if (!existsSync(releaseFile)) {
    throw new Error(`${releaseFile} is missing: the set-up lays out codex's install: bash scripts/setup.sh (or bash scripts/wine/codex-install.sh)`);
  }
  const release = readFileSync(releaseFile, 'utf8').trim();
  const prefix = path.join(CODEX_INSTALL_ROOT, 'prefix');
  const mainPackage = path.join(prefix, 'node_modules', '@openai', 'codex');
  const platformPackage = path.join(mainPackage, 'node_modules', '@openai', 'codex-win32-x64');
  const vendor = path.join(platformPackage, 'vendor', 'x86_64-pc-windows-msvc');
  const resourcesDir = path.join(vendor, 'codex-resources');
  const install: NpmCodexInstall = {
    release,
    prefix,
    shims: { cmd: path.join(prefix, 'codex.cmd'), ps1: path.join(prefix, 'codex.ps1'), sh: path.join(prefix, 'codex') },
    mainPackage,
    codexJs: path.join(mainPackage, 'bin', 'codex.js'),
    platformPackage,
    vendor,
    codexExe: path.join(vendor, 'bin', 'codex.exe'),
    resourcesDir,
    runner: path.join(resourcesDir, 'codex-command-runner.exe'),
    setupHelper: path.join(resourcesDir, 'codex-windows-sandbox-setup.exe'),
  };
  for (const file of [install.shims.cmd, install.shims.ps1, install.shims.sh, install.codexJs, install.codexExe, install.runner, install.setupHelper]) {
    if (!existsSync(file)) {
      throw new Error(`codex install ${release}: ${file} is missing; the set-up lays it out: bash scripts/setup.sh (or bash scripts/wine/codex-install.sh)`);
    }
  }
  return install;
}
