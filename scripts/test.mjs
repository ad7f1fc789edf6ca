// The README's test command (after `npm run build`): the Linux suite, the Win32 suite under Wine,
// and the panel's e2e in Chromium. Prints one closing line with the totals.
// On Windows the same steps run natively: the unit suite (its POSIX-only tests skip themselves),
// the Win32 suite with this machine's own node.exe (no Wine), the e2e's `electron` project with the
// real Electron binary, and the packaging check against that binary.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ci = process.env.CI === 'true';
const windows = process.platform === 'win32';
const require = createRequire(import.meta.url);
// --only=linux|wine|e2e|consumer|package runs one step
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const want = (name) => !only || only === name;

/** Compiled test files under `dir`: those outside any `win32` folder, or (win32Only) those inside one. */
function testFiles(dir, { win32Only = false } = {}) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js') && f.split(/[\\/]/).includes('win32') === win32Only)
    .map((f) => join(dir, f))
    .sort();
}

function haveWine() {
  return existsSync('.cache/wine/node/node.exe') && (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, 'wine')));
}

/** Runs a step, echoing its output, and reads its pass/fail/skip counts from the runner's summary. */
function step(name, cmd, args, parse, env = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${cmd} ${args.length > 6 ? args.slice(0, 6).join(' ') + ' ...' : args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
      if (out.length > 1 << 20) out = out.slice(-(1 << 19));
    });
    child.on('close', (code) => resolve({ name, code: code ?? 1, ...parse(out) }));
  });
}

const count = (text, re) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
// node --test spec reporter: "ℹ pass 12" (and TAP: "# pass 12")
const nodeCounts = (out) => ({
  passed: count(out, /^(?:ℹ|#) pass (\d+)$/gm),
  failed: count(out, /^(?:ℹ|#) fail (\d+)$/gm),
  skipped: count(out, /^(?:ℹ|#) skipped (\d+)$/gm),
});
// Playwright list reporter: "  12 passed (30.1s)", "  1 failed", "  2 skipped"
const playwrightCounts = (out) => ({
  passed: count(out, /^\s*(\d+) passed/gm),
  failed: count(out, /^\s*(\d+) failed/gm),
  skipped: count(out, /^\s*(\d+) skipped/gm),
});

const results = [];
if (want('linux')) results.push(
  await step(windows ? 'unit suite (Windows)' : 'linux suite', process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...testFiles('dist/test')], nodeCounts),
);

if (!want('wine')) {
  // not asked for
} else if (windows) {
  // The real thing: this machine's node.exe and koffi calling Windows' own kernel32/advapi32.
  // One file at a time, as under Wine: some tests count this process's handles or add local users.
  results.push(await step('win32 suite (native Windows)', process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...testFiles('dist/test', { win32Only: true })], nodeCounts));
} else if (haveWine()) {
  results.push(await step('win32 suite under Wine', process.execPath, ['scripts/wine/run-suite.mjs'], nodeCounts));
} else if (ci) {
  results.push({ name: 'win32 suite under Wine', code: 1, passed: 0, failed: 1, skipped: 0 });
  console.log('\n=== win32 suite under Wine: Wine or .cache/wine/node/node.exe missing in CI (scripts/setup.sh installs them)');
} else {
  console.log('\n=== win32 suite under Wine: SKIPPED, Wine not set up here (run `bash scripts/setup.sh`)');
}

if (want('e2e') && existsSync('playwright.config.ts')) {
  // Playwright's own CLI under this node: `npx` is a .cmd on Windows, which spawn cannot start without a shell.
  results.push(await step('panel e2e (Playwright)', process.execPath, [require.resolve('@playwright/test/cli'), 'test'], playwrightCounts, { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }));
}

// Each "ok  " / "FAIL" / "skip" line of the consumer and packaging checks is one check.
const packageCounts = (out) => ({ passed: (out.match(/^ok  /gm) ?? []).length, failed: (out.match(/^FAIL/gm) ?? []).length, skipped: (out.match(/^skip /gm) ?? []).length });
if (want('consumer')) {
  // The packed tarball installed into a fresh project: CJS, ESM, strict TypeScript, the README's example.
  results.push(await step('consumer check (npm pack, npm ci --offline, real sessions)', process.execPath, ['scripts/e2e/check-consumer.mjs'], packageCounts));
}
if (want('package')) {
  const what = windows ? 'packaging check (electron-builder --win --dir, real Electron)' : 'packaging check (electron-builder --dir)';
  results.push(await step(what, process.execPath, ['scripts/e2e/check-package.mjs'], packageCounts));
}

console.log('\n=== summary');
let passed = 0, failed = 0, skipped = 0, bad = false;
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (exit ${r.code})`);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  if (r.code !== 0 || r.failed > 0) bad = true;
}
if (bad && failed === 0) failed = 1; // a step that crashed without a summary still fails the run
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = bad ? 1 : 0;
