// The browser the chromium-harness project drives: Debian's Chromium on Linux, the system's
// Microsoft Edge (Chromium-based, on every Windows 10/11 and on GitHub's Windows images) on Windows.
// Nothing is downloaded. Returns the path, or why there is none (the project is then skipped).
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const LINUX_CHROMIUM = '/usr/bin/chromium';

export function findHarnessBrowser(): { path: string } | { reason: string } {
  if (process.platform !== 'win32') {
    return existsSync(LINUX_CHROMIUM) ? { path: LINUX_CHROMIUM } : { reason: `${LINUX_CHROMIUM} is missing (bash scripts/setup.sh installs Debian's chromium)` };
  }
  const roots = [process.env['ProgramFiles(x86)'], process.env.ProgramFiles, process.env.LOCALAPPDATA].filter((r): r is string => typeof r === 'string' && r !== '');
  const candidates = roots.map((root) => path.join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'));
  const found = candidates.find((c) => existsSync(c));
  return found ? { path: found } : { reason: `Microsoft Edge not found (looked for ${candidates.join(', ')})` };
}
