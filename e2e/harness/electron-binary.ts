// Finds an installed Electron binary WITHOUT calling require('electron'), which (electron >= 42)
// downloads the binary on first use. Mirrors node_modules/electron/index.js: path.txt names the
// binary under dist/ (or under ELECTRON_OVERRIDE_DIST_PATH). Returns the path, or why there is none.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './repo-paths';

export function findElectronBinary(): { path: string } | { reason: string } {
  const pkg = path.join(repoRoot, 'node_modules', 'electron');
  if (!existsSync(pkg)) return { reason: 'the electron package is not installed' };
  const pathTxt = path.join(pkg, 'path.txt');
  const named = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const binary = path.join(override, named ?? (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(binary) ? { path: binary } : { reason: `ELECTRON_OVERRIDE_DIST_PATH names no binary (${binary} missing)` };
  }
  if (!named) return { reason: 'no Electron binary installed (node_modules/electron/path.txt missing: its download was skipped or impossible; `npx electron --version` fetches it)' };
  const binary = path.join(pkg, 'dist', named);
  return existsSync(binary) ? { path: binary } : { reason: `Electron binary ${binary} does not exist` };
}
