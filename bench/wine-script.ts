// Runs one compiled bench script (bench/wine/*.js) in the Windows node.exe under Wine, from Linux,
// with the node.exe and koffi scripts/wine/setup.sh puts under .cache/wine/, and returns the JSON
// line it prints last. Its output goes to a file: node.exe under Wine cannot write to a Unix pipe
// (EBADF in createWritableStdioStream).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'wine');
const NODE_EXE = path.join(CACHE, 'node', 'node.exe');
const TIMEOUT_MS = 240_000;

const toWindows = (p: string) => `Z:${p.replaceAll('/', '\\')}`;
const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, cmd)));

/** Why `script` cannot run under Wine here (with the files it needs), or undefined when it can. */
export function wineUnavailable(script: string, needs: string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'the Wine bench runs from Linux';
  if (!onPath('wine')) return 'Wine is not installed (apt-get install -y wine wine64)';
  if (!existsSync(NODE_EXE)) return `${NODE_EXE} is missing (run: bash scripts/wine/setup.sh)`;
  for (const file of [script, ...needs]) if (!existsSync(file)) return `${file} is missing (npm run build; bash scripts/setup.sh)`;
  return undefined;
}

/** The script's last JSON line; throws with its output when it failed or printed `error`. */
export async function runWineScript(script: string, args: string[]): Promise<Record<string, unknown>> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'codex-bench-wine-'));
  const outFile = path.join(work, 'output.txt');
  const out = openSync(outFile, 'w');
  try {
    const env = {
      ...process.env,
      WINEPREFIX: path.join(CACHE, 'prefix'),
      WINEDEBUG: '-all',
      DISPLAY: '',
      NODE_PATH: toWindows(path.join(CACHE, 'koffi-win', 'node_modules')),
    };
    const child = spawn('wine', [NODE_EXE, toWindows(script), ...args], { cwd: ROOT, env, stdio: ['ignore', out, out] });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    const text = readFileSync(outFile, 'utf8');
    const line = text.trim().split(/\r?\n/).reverse().find((l) => l.startsWith('{'));
    const parsed = line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    if (code !== 0 || !parsed || parsed.error !== undefined) throw new Error(`Wine bench ${path.basename(script)} failed (exit ${code}): ${String(parsed?.error ?? text.slice(-2000))}`);
    return parsed;
  } finally {
    closeSync(out);
    rmSync(work, { recursive: true, force: true });
  }
}
