// Windows' node.exe under Wine, started from the Linux suite, for tests that need a Linux process
// and a Windows one at once (two pid spaces sharing one folder). Set up as scripts/wine/run-suite.mjs
// does: the project's prefix, output to FILES (node.exe under Wine cannot write to a Unix pipe).
// It holds run-suite's lock shared, so that suite's final `wineserver -k` never lands mid-test.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(ROOT, '.cache', 'wine');
const NODE_EXE = path.join(CACHE, 'node', 'node.exe');

export const toWindowsPath = (p: string): string => `Z:${p.replaceAll('/', '\\')}`;

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(path.join(d, cmd)));
}

/**
 * Why Wine's node.exe cannot run here, or false. Skipping is for machines without it; in CI
 * (CI=true) a missing Wine fails the test instead, as scripts/test.mjs does for the Wine suite.
 */
export function wineNodeMissing(): string | false {
  if (process.platform !== 'linux') return 'Wine runs on Linux';
  const why = !onPath('wine') ? 'Wine is not installed' : !existsSync(NODE_EXE) ? `${NODE_EXE} is missing` : !onPath('flock') ? 'flock is missing' : '';
  if (why === '') return false;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must set up Wine (bash scripts/setup.sh)`);
  return `${why} (bash scripts/setup.sh sets it up)`;
}

/** Runs node.exe with `args` (Windows paths), stdout and stderr to `outFile` and `${outFile}.err`. */
export function runWineNode(args: string[], outFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out = openSync(outFile, 'w');
  const err = openSync(`${outFile}.err`, 'w');
  const env = {
    ...process.env,
    WINEPREFIX: path.join(CACHE, 'prefix'),
    WINEDEBUG: '-all',
    DISPLAY: '',
    NODE_PATH: toWindowsPath(path.join(CACHE, 'koffi-win', 'node_modules')),
  };
  const child = spawn('flock', ['-s', path.join(CACHE, 'suite.lock'), 'wine', NODE_EXE, ...args], { env, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(`${outFile}.err`, 'utf8') }));
  });
}
