// From npm's global `codex` shims to the native install, exactly as the shim and @openai/codex's
// launcher (bin/codex.js, 0.171.0) go: the shim runs `<prefix>/node_modules/@openai/codex/bin/codex.js`;
// codex.js takes its own real folder, `require.resolve`s the platform package
// (`@openai/codex-win32-x64`, an npm alias of `@openai/codex@<release>-win32-x64`) by Node's module
// search from there, else falls back to `<package>/vendor`, and runs
// `<vendor>/<target triple>/bin/codex.exe`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isFile } from './bundled-executable';

const SHIM_MAX_BYTES = 64 * 1024;

/** codex.js's own table (PLATFORM_PACKAGE_BY_TARGET) for the Windows targets, plus Linux/macOS for completeness. */
export function codexTarget(platform: NodeJS.Platform, arch: string): { triple: string; platformPackage: string; exeName: string } | undefined {
  const table: Record<string, [string, string]> = {
    'win32-x64': ['x86_64-pc-windows-msvc', '@openai/codex-win32-x64'],
    'win32-arm64': ['aarch64-pc-windows-msvc', '@openai/codex-win32-arm64'],
    'linux-x64': ['x86_64-unknown-linux-musl', '@openai/codex-linux-x64'],
    'linux-arm64': ['aarch64-unknown-linux-musl', '@openai/codex-linux-arm64'],
    'darwin-x64': ['x86_64-apple-darwin', '@openai/codex-darwin-x64'],
    'darwin-arm64': ['aarch64-apple-darwin', '@openai/codex-darwin-arm64'],
  };
  const hit = table[`${platform === 'android' ? 'linux' : platform}-${arch}`];
  return hit ? { triple: hit[0], platformPackage: hit[1], exeName: platform === 'win32' ? 'codex.exe' : 'codex' } : undefined;
}

/**
 * The launcher script an npm shim runs (`codex.cmd`, `codex.ps1`, or the sh shim `codex`), read
 * from the shim itself (`%dp0%\node_modules\...\codex.js`, `$basedir/node_modules/.../codex.js`);
 * a symbolic link (npm on Linux/macOS) is followed. Undefined when the file is no npm shim of codex.
 */
export async function shimTarget(shim: string): Promise<string | undefined> {
  const stat = await fs.lstat(shim).catch(() => undefined);
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) {
    const real = await fs.realpath(shim).catch(() => undefined);
    return real && /codex\.js$/i.test(real) ? real : undefined;
  }
  if (!stat.isFile() || stat.size > SHIM_MAX_BYTES) return undefined;
  const text = await fs.readFile(shim, 'utf8').catch(() => '');
  const match = /(?:%dp0%|%~dp0|\$basedir|\$PSScriptRoot)[\\/]+((?:[^"'\s%$]+[\\/])*codex\.js)/i.exec(text);
  if (!match) return undefined;
  return path.join(path.dirname(shim), ...match[1]!.split(/[\\/]+/));
}

/** Node's module search folders from `dir` up (Module._nodeModulePaths, without NODE_PATH or the global folders). */
export function nodeModulePaths(dir: string): string[] {
  const out: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    if (path.basename(current).toLowerCase() !== 'node_modules') out.push(path.join(current, 'node_modules'));
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return out;
}

export interface NpmNativeInstall {
  /** `<vendor>/<triple>`: holds bin/, codex-resources/, codex-package.json. */
  root: string;
  codexExe: string;
  /** @openai/codex's own folder (real path). */
  mainPackage: string;
  /** The platform package's folder, when resolved as a package (else codex.js's vendor fallback). */
  platformPackage?: string;
}

/**
 * What codex.js would run, from the codex.js path; `looked` gets every place tried. Undefined
 * when codex.js is missing or its native binary is not where codex.js would look.
 */
export async function resolveFromCodexJs(codexJs: string, platform: NodeJS.Platform, arch: string, looked: string[]): Promise<NpmNativeInstall | undefined> {
  const target = codexTarget(platform, arch);
  looked.push(codexJs);
  if (!target || !(await isFile(codexJs))) return undefined;
  // codex.js runs from its real path (ESM resolves links), so its searches start there.
  const realJs = await fs.realpath(codexJs);
  const binDir = path.dirname(realJs);
  const mainPackage = path.dirname(binDir);
  let vendorRoot: string | undefined;
  let platformPackage: string | undefined;
  for (const modules of nodeModulePaths(binDir)) {
    const pkgJson = path.join(modules, ...target.platformPackage.split('/'), 'package.json');
    looked.push(pkgJson);
    if (await isFile(pkgJson)) {
      platformPackage = path.dirname(pkgJson);
      vendorRoot = path.join(platformPackage, 'vendor');
      break;
    }
  }
  vendorRoot ??= path.join(mainPackage, 'vendor');
  const root = path.join(vendorRoot, target.triple);
  const codexExe = path.join(root, 'bin', target.exeName);
  looked.push(codexExe);
  if (!(await isFile(codexExe))) return undefined;
  return { root, codexExe, mainPackage, ...(platformPackage ? { platformPackage } : {}) };
}
