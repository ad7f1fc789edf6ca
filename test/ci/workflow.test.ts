// The GitHub Actions workflow (.github/workflows/ci.yml), checked here on every run so it cannot rot
// unseen: it parses, both jobs exist, the Windows job runs the README's test command as the README
// states it, every action is pinned to a full commit SHA, permissions are least, every job is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// js-yaml ships no types of its own; this is the one call used.
const yaml = require('js-yaml') as { load(text: string): unknown };

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const WORKFLOW = path.join(repoRoot, '.github', 'workflows', 'ci.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on'?: string;
  'timeout-minutes'?: number;
  permissions?: unknown;
  container?: { image?: string } | string;
  steps?: Step[];
}
interface Workflow {
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs?: Record<string, Job>;
}

/** A repository text file with LF line ends (.gitattributes asks for them; a checkout may differ). */
const readText = (file: string) => readFileSync(file, 'utf8').replace(/\r\n/g, '\n');

function loadWorkflow(): Workflow {
  const parsed = yaml.load(readText(WORKFLOW));
  assert.ok(parsed !== null && typeof parsed === 'object', `${WORKFLOW} is not a YAML mapping`);
  return parsed as Workflow;
}

/** The test command from the README's "Two commands" table (the row that sets up and passes the tests). */
function readmeTestCommand(readme: string): string {
  const section = /^## Two commands\n([\s\S]*?)(?=^## )/m.exec(readme);
  assert.ok(section, 'README.md has no "## Two commands" section');
  const rows = section[1]!.split('\n').filter((line) => line.startsWith('|')).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const row = rows.find(([what]) => what!.startsWith('set up and pass the tests'));
  assert.ok(row, `README.md's "Two commands" table has no row "set up and pass the tests ...": ${JSON.stringify(rows)}`);
  const command = /^`([^`]+)`$/.exec(row[1] ?? '');
  assert.ok(command, `the test command cell is not one \`code\` span: ${row[1]}`);
  return command[1]!;
}

const job = (w: Workflow, name: string): Job => {
  const found = w.jobs?.[name];
  assert.ok(found, `the workflow has no "${name}" job (jobs: ${Object.keys(w.jobs ?? {}).join(', ')})`);
  return found;
};

test('the workflow parses and has a Linux job running .ci/run and a Windows job', () => {
  const w = loadWorkflow();
  assert.deepEqual(Object.keys(w.jobs ?? {}).sort(), ['linux', 'windows']);
  const linux = job(w, 'linux');
  assert.equal(linux['runs-on'], 'ubuntu-latest');
  // The machines this project runs on: Debian bookworm, Node 20, as root.
  assert.equal(typeof linux.container === 'object' ? linux.container.image : linux.container, 'node:20-bookworm');
  assert.ok(linux.steps?.some((s) => s.run?.trim() === 'bash .ci/run'), 'the Linux job runs `bash .ci/run`');
  const windows = job(w, 'windows');
  assert.equal(windows['runs-on'], 'windows-latest');
  const node = windows.steps?.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.deepEqual(node?.with, { 'node-version': 22, cache: 'npm' }, 'Node 22 with the npm cache');
});

test("the Windows job runs the README's test command, and .ci/run runs the same two commands", () => {
  const command = readmeTestCommand(readText(path.join(repoRoot, 'README.md')));
  assert.equal(command, 'bash scripts/setup.sh && npm test', 'if the README changed its command, this workflow must follow it');
  const windows = job(loadWorkflow(), 'windows');
  assert.ok(windows.steps?.some((s) => s.run?.trim() === command), `a Windows step runs exactly \`${command}\``);
  // .ci/run: its commands after the `cd` are the README's, one per line.
  const ciRun = readText(path.join(repoRoot, '.ci', 'run'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '));
  assert.deepEqual(ciRun, command.split('&&').map((part) => part.trim()));
});

test("the Windows job opts into the test that runs codex's real setup helper (it creates machine-wide accounts)", () => {
  const windows = job(loadWorkflow(), 'windows');
  const command = readmeTestCommand(readText(path.join(repoRoot, 'README.md')));
  const step = windows.steps?.find((s) => s.run?.trim() === command) as (Step & { env?: Record<string, unknown> }) | undefined;
  assert.equal(step?.env?.CODEX_REAL_SETUP_TESTS, '1', 'the test step sets CODEX_REAL_SETUP_TESTS=1');
  // The test reads the same name: a rename on one side only would skip it silently.
  for (const name of ['codex-real-setup.test.ts', 'codex-first-run.test.ts', 'codex-logon-recovery.test.ts']) {
    const testFile = readText(path.join(repoRoot, 'test', 'win32', 'windows-only', name));
    assert.match(testFile, /const OPT_IN = 'CODEX_REAL_SETUP_TESTS';/, name);
  }
});

test('the Windows job builds the NSIS installer and uploads it, and uploads the Playwright report even on failure', () => {
  const steps = job(loadWorkflow(), 'windows').steps ?? [];
  const index = (match: (s: Step) => boolean) => steps.findIndex(match);
  const tests = index((s) => s.run?.includes('npm test') === true);
  const dist = index((s) => s.run?.trim().startsWith('npm run dist') === true);
  assert.ok(tests >= 0 && dist > tests, 'npm run dist runs after the tests');
  const uploads = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
  const installer = uploads.find((s) => String(s.with?.path).includes('release/*.exe'));
  assert.ok(installer, 'the NSIS installer (release/*.exe) is uploaded');
  assert.equal(installer.with?.['if-no-files-found'], 'error', 'a missing installer fails the job');
  const report = uploads.find((s) => String(s.with?.path).includes('playwright-report/'));
  assert.ok(report, 'the Playwright report is uploaded');
  assert.match(report.if ?? '', /\balways\(\)/, 'the report is uploaded whatever happened before');
});

test('every action is pinned to a full commit SHA, with its version in a comment', () => {
  const w = loadWorkflow();
  const uses = Object.values(w.jobs ?? {}).flatMap((j) => (j.steps ?? []).map((s) => s.uses).filter((u): u is string => typeof u === 'string'));
  assert.ok(uses.length >= 4, `uses: ${uses.join(', ')}`);
  for (const u of uses) assert.match(u, /^[A-Za-z0-9-]+\/[A-Za-z0-9._/-]+@[0-9a-f]{40}$/, `${u} is not pinned to a 40-hex commit SHA`);
  // The comment is for people (js-yaml drops it): read the raw lines.
  const raw = readText(WORKFLOW).split('\n').filter((line) => /^\s*(-\s+)?uses:/.test(line));
  assert.equal(raw.length, uses.length);
  for (const line of raw) assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `no "# vX.Y.Z" comment: ${line.trim()}`);
});

test('permissions are least (contents: read), no job widens them, runs are grouped, and every job has a timeout', () => {
  const w = loadWorkflow();
  assert.deepEqual(w.permissions, { contents: 'read' });
  assert.ok(w.concurrency?.group?.includes('${{ github.ref }}'), 'a concurrency group per ref');
  for (const [name, j] of Object.entries(w.jobs ?? {})) {
    assert.ok(j.permissions === undefined || JSON.stringify(j.permissions) === JSON.stringify({ contents: 'read' }), `job ${name} widens permissions: ${JSON.stringify(j.permissions)}`);
    const minutes = j['timeout-minutes'];
    assert.ok(typeof minutes === 'number' && minutes > 0 && minutes <= 90, `job ${name} has timeout-minutes ${minutes}`);
    for (const step of j.steps ?? []) {
      if (step.uses?.startsWith('actions/checkout@')) assert.equal(step.with?.['persist-credentials'], false, `job ${name}: checkout keeps no token in .git/config`);
    }
  }
});

test('every checkout gets LF line ends, so bash on Windows can run .ci/run and scripts/*.sh', () => {
  const rules = readText(path.join(repoRoot, '.gitattributes')).split('\n').map((line) => line.trim());
  assert.ok(rules.includes('* text=auto eol=lf'), `.gitattributes: ${rules.join(' | ')}`);
});
