// Runs the compiled Win32 suite (dist/test/win32/**/*.test.js, built beforehand) with the real
// Windows node.exe and koffi under Wine. Output goes to a FILE (node.exe under Wine cannot write to
// a Unix pipe: "open EBADF ... createWritableStdioStream"), then is printed here; exits with
// node.exe's code. Wine absent: fails loudly, unless WINE_OPTIONAL=1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const cache = join(root, '.cache', 'wine');
const nodeExe = join(cache, 'node', 'node.exe');
const timeoutMs = Number(process.env.WINE_SUITE_TIMEOUT_MS ?? 600_000);
const toWindows = (p) => `Z:${p.replaceAll('/', '\\')}`;

function which(cmd) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

if (!which('wine') || !existsSync(nodeExe)) {
  const why = !which('wine') ? 'Wine is not installed' : `${nodeExe} is missing`;
  console.error(`\n!!! win32 suite NOT RUN: ${why}. Run: bash scripts/wine/setup.sh\n`);
  process.exit(process.env.WINE_OPTIONAL === '1' ? 0 : 1);
}

// One suite at a time per prefix: the final `wineserver -k` would kill a concurrent run's node.exe
// (which Wine then reports as exit 0 with its output cut short).
if (!process.env.CODEX_WINE_SUITE_LOCKED && which('flock')) {
  const locked = spawnSync('flock', [join(cache, 'suite.lock'), process.execPath, import.meta.filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CODEX_WINE_SUITE_LOCKED: '1' },
  });
  process.exit(locked.status ?? 1);
}

const testDir = join(root, 'dist', 'test', 'win32');
const files = existsSync(testDir)
  ? readdirSync(testDir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.js')).map((f) => join(testDir, f)).sort()
  : [];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error(`win32 suite: no compiled tests under ${testDir} (run npm run build first)`);
  process.exit(1);
}

const env = {
  ...process.env,
  WINEPREFIX: join(cache, 'prefix'),
  WINEDEBUG: '-all',
  DISPLAY: '',
  // koffi 3 looks for its native package with require('@koromix/koffi-win32-x64').
  NODE_PATH: toWindows(join(cache, 'koffi-win', 'node_modules')),
};
const work = mkdtempSync(join(tmpdir(), 'codex-wine-suite-'));
const outFile = join(work, 'output.txt');
const out = openSync(outFile, 'w');

spawnSync('wineserver', ['-p'], { env, stdio: 'ignore' }); // keep the server warm between node.exe starts
const started = Date.now();
const child = spawn('wine', [nodeExe, '--test', '--test-reporter=spec', '--test-concurrency=1', ...selected.map(toWindows)], {
  cwd: root,
  env,
  stdio: ['ignore', out, out],
});
const timer = setTimeout(() => {
  console.error(`win32 suite: timed out after ${timeoutMs} ms; killing it`);
  child.kill('SIGKILL');
}, timeoutMs);
const code = await new Promise((done) => child.on('close', (c, signal) => done(c ?? (signal ? 1 : 1))));
clearTimeout(timer);
closeSync(out);
const output = readFileSync(outFile, 'utf8').replaceAll('\r\n', '\n');
process.stdout.write(output);
console.log(`win32 suite: node.exe exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
// A node.exe killed from outside (wineserver -k) can look like exit 0: trust only a full summary.
let status = code;
if (status === 0 && !/^ℹ fail 0$/m.test(output)) {
  console.log('win32 suite: no test summary in the output; counting the run as failed');
  status = 1;
}
// Leave nothing running: wineserver -k ends the server and every Windows process of the prefix.
spawnSync('wineserver', ['-k'], { env, stdio: 'ignore' });
rmSync(work, { recursive: true, force: true });
process.exit(status);
