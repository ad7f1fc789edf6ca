// STAND-IN for the i20-install branch's setup-helper lookup (findCodexInstall): the setupHelper
// option, else the codexInstall option (codex.exe, its bin folder, the folder holding
// codex-resources, or the install root), looked at as upstream's find_setup_exe looks beside
// codex.exe: beside it, then its codex-resources (also the parent folder's, for bin/codex.exe).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../sandbox-prep/sandbox-refresh';

export async function locateSetupHelper(options: { setupHelper?: string; codexInstall?: string }): Promise<{ found?: string; looked: string[] }> {
  if (options.setupHelper !== undefined) return (await isFile(options.setupHelper)) ? { found: options.setupHelper, looked: [options.setupHelper] } : { looked: [options.setupHelper] };
  if (options.codexInstall === undefined) return { looked: [] };
  const given = options.codexInstall;
  const dir = (await isFile(given)) ? path.dirname(given) : given;
  const looked = [
    path.join(dir, SETUP_HELPER_FILE),
    path.join(dir, 'codex-resources', SETUP_HELPER_FILE),
    path.join(path.dirname(dir), 'codex-resources', SETUP_HELPER_FILE),
  ];
  for (const candidate of looked) if (await isFile(candidate)) return { found: candidate, looked };
  return { looked };
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isFile(), () => false);
}
