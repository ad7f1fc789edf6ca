// wine_pipe_throughput_vs_node_net_pipe, launched from Linux: runs wine/named-pipe-throughput.js
// with the Windows node.exe and koffi that scripts/wine/setup.sh puts under .cache/wine/.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'wine');
const NODE_EXE = path.join(CACHE, 'node', 'node.exe');
const SCRIPT = path.join(__dirname, 'wine', 'named-pipe-throughput.js');
const NAMED_PIPE_LAYER = path.join(ROOT, 'dist', 'src', 'platform', 'win32', 'named-pipe-pair.js');
const TIMEOUT_MS = 240_000;

const toWindows = (p: string) => `Z:${p.replaceAll('/', '\\')}`;
const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, cmd)));

export type WineResult =
  | { skipped: string }
  | { wine_pipe_throughput_vs_node_net_pipe: number; session: number; netPipe: number };

/** Why the Wine part cannot run here, or undefined when it can. */
export function wineUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the Wine bench runs from Linux';
  if (!onPath('wine')) return 'Wine is not installed (apt-get install -y wine wine64)';
  if (!existsSync(NODE_EXE)) return `${NODE_EXE} is missing (run: bash scripts/wine/setup.sh)`;
  if (!existsSync(NAMED_PIPE_LAYER)) return `the named-pipe layer is not built (${NAMED_PIPE_LAYER})`;
  if (!existsSync(SCRIPT)) return `${SCRIPT} is not built`;
  return undefined;
}

export async function measureWine(bytes: number, rounds: number): Promise<WineResult> {
  const why = wineUnavailable();
  if (why) return { skipped: why };
  const work = mkdtempSync(path.join(os.tmpdir(), 'codex-bench-wine-'));
  // node.exe under Wine cannot write to a Unix pipe (EBADF in createWritableStdioStream): use a file.
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
    const child = spawn('wine', [NODE_EXE, toWindows(SCRIPT), String(bytes), String(rounds)], { cwd: ROOT, env, stdio: ['ignore', out, out] });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    const text = readFileSync(outFile, 'utf8');
    const line = text.trim().split(/\r?\n/).reverse().find((l) => l.startsWith('{'));
    const parsed = line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    if (code !== 0 || !parsed || typeof parsed.wine_pipe_throughput_vs_node_net_pipe !== 'number') {
      throw new Error(`Wine bench failed (exit ${code}): ${String(parsed?.error ?? text.slice(-2000))}`);
    }
    return {
      wine_pipe_throughput_vs_node_net_pipe: parsed.wine_pipe_throughput_vs_node_net_pipe,
      session: parsed.session as number,
      netPipe: parsed.netPipe as number,
    };
  } finally {
    closeSync(out);
    rmSync(work, { recursive: true, force: true });
  }
}
