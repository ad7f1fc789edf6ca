// Where codex finds a helper executable it ships (openai/codex
// codex-rs/windows-sandbox-rs/src/helper_materialization.rs: bundled_executable_path_for_exe;
// setup.rs: find_setup_exe): beside codex.exe; then, when codex.exe is in a `bin` folder, in
// `codex-resources` beside that folder (the npm and standalone package layout); then in
// `codex-resources` beside codex.exe. Installer bin folders can be junctions or links, so the
// same is tried once more beside the real file.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const RESOURCES_DIR = 'codex-resources';
export const RUNNER_EXE = 'codex-command-runner.exe';
export const SETUP_HELPER_EXE = 'codex-windows-sandbox-setup.exe';

/** The places looked, in order, for `fileName` shipped with `exe` (without following links). */
export function bundledCandidates(exe: string, fileName: string): string[] {
  const dir = path.dirname(exe);
  const out = [path.join(dir, fileName)];
  if (path.basename(dir).toLowerCase() === 'bin') out.push(path.join(path.dirname(dir), RESOURCES_DIR, fileName));
  out.push(path.join(dir, RESOURCES_DIR, fileName));
  return out;
}

/** The first existing candidate for `exe`, then for its real path; `looked` lists every place. */
export async function bundledExecutable(exe: string, fileName: string): Promise<{ found?: string; looked: string[] }> {
  const looked: string[] = [];
  const attempt = async (from: string) => {
    for (const candidate of bundledCandidates(from, fileName)) {
      if (looked.includes(candidate)) continue;
      looked.push(candidate);
      if (await isFile(candidate)) return candidate;
    }
    return undefined;
  };
  const direct = await attempt(exe);
  if (direct) return { found: direct, looked };
  const real = await fs.realpath(exe).catch(() => undefined);
  if (real && real !== exe) {
    const viaReal = await attempt(real);
    if (viaReal) return { found: viaReal, looked };
  }
  return { looked };
}

export async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

export async function isDirectory(dir: string): Promise<boolean> {
  return fs.stat(dir).then((s) => s.isDirectory(), () => false);
}
