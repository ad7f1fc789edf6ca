// The flags for codex's runner: --sandbox current, --no-sandbox-refresh / --sandbox-refresh,
// --setup-helper; refused where nothing would apply them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_USAGE, parseCliArgs, UsageError } from '../../src/cli/cli-args';
import { posixOnly } from '../helpers/platform';

test('--sandbox current and --no-sandbox-refresh reach the run arguments; anything else for --sandbox is refused', () => {
  const parsed = parseCliArgs(['run', '--runner', 'codex', '--codex-home', 'H', '--sandbox', 'current', '--no-sandbox-refresh', '--', 'cmd.exe']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.equal(parsed.args.sandbox, 'current');
  assert.equal(parsed.args.refreshSandbox, false);
  const plain = parseCliArgs(['run', '--', 'x']);
  assert.equal(plain.kind === 'run' && plain.args.sandbox, undefined);
  assert.equal(plain.kind === 'run' && plain.args.refreshSandbox, undefined);
  assert.equal((parseCliArgs(['run', '--runner=codex', '--codex-home=H', '--sandbox=current', '--', 'x']) as { args: { sandbox?: string } }).args.sandbox, 'current');
  assert.throws(() => parseCliArgs(['run', '--sandbox', 'codex', '--', 'x']), new UsageError('--sandbox takes "current" (codex\'s sandbox user is the default with --runner codex), got "codex"'));
  assert.match(CLI_USAGE, /--sandbox current/);
  assert.match(CLI_USAGE, /--no-sandbox-refresh/);
});

test('--status shows what was prepared for codex\'s runner: the SIDs and their file, the desktop, the refresh', async () => {
  const { formatStatus } = await import('../../src/cli/format-status');
  const text = formatStatus({
    id: 's1', command: ['cmd.exe'], tty: false, state: 'exited', stages: [{ stage: 'preparing', at: 0 }, { stage: 'preparing_sandbox', at: 3 }], pipes: {},
    policy: { profile: 'workspace-write', enforced: false, note: 'n' },
    sandboxPrep: { capSids: ['S-1-5-21-1-2-3-4'], capSidsFrom: 'C:\\h\\cap_sid', desktop: 'CodexSandboxDesktop-00ff', refresh: 'skipped', setupHelper: 'C:\\h\\.sandbox-bin\\codex-windows-sandbox-setup.exe' },
    traffic: { stdout: { bytes: 0, frames: 0 }, stderr: { bytes: 0, frames: 0 }, stdin: { bytes: 0, frames: 0 }, toRunner: { bytes: 0, frames: 0 }, fromRunner: { bytes: 0, frames: 0 } },
    exitCode: 0,
  });
  assert.match(text, /^ {2}cap sids {5}S-1-5-21-1-2-3-4 \(C:\\h\\cap_sid\)$/m);
  assert.match(text, /^ {2}desktop {6}CodexSandboxDesktop-00ff$/m);
  assert.match(text, /^ {2}refresh {6}skipped \(C:\\h\\\.sandbox-bin\\codex-windows-sandbox-setup\.exe\)$/m);
  assert.match(text, /preparing_sandbox/);
});

test('--setup-helper PATH reaches the run arguments and the usage text', () => {
  const parsed = parseCliArgs(['run', '--runner', 'codex', '--codex-home', 'H', '--setup-helper', 'C:/codex/setup.exe', '--', 'cmd.exe']);
  assert.equal(parsed.kind === 'run' && parsed.args.setupHelper, 'C:/codex/setup.exe');
  assert.match(CLI_USAGE, /--setup-helper PATH/);
});

test("flags only codex's runner can apply are refused without --runner codex, not dropped", () => {
  for (const flags of [['--codex-install', '/x'], ['--no-sandbox-refresh'], ['--sandbox-refresh'], ['--setup-helper', '/x/setup.exe'], ['--sandbox', 'current'], ['--codex-version', '0.171.0']]) {
    assert.throws(() => parseCliArgs(['run', ...flags, '--', 'x']), new UsageError(`${flags[0]} applies to codex's runner only: add --runner codex (and --codex-home DIR)`), flags.join(' '));
  }
  assert.throws(() => parseCliArgs(['run', '--runner', 'r.js', '--no-sandbox-refresh', '--setup-helper=/x', '--', 'x']), new UsageError("--no-sandbox-refresh, --setup-helper apply to codex's runner only: add --runner codex (and --codex-home DIR)"));
});

test('--setup-helper with --sandbox current needs --sandbox-refresh, which turns the refresh on; contradictions are refused', () => {
  const codex = ['run', '--runner', 'codex', '--codex-home', 'H'];
  const on = parseCliArgs([...codex, '--sandbox', 'current', '--sandbox-refresh', '--setup-helper', '/x/setup.exe', '--', 'x']);
  assert.equal(on.kind === 'run' && on.args.refreshSandbox, true);
  assert.equal(on.kind === 'run' && on.args.setupHelper, '/x/setup.exe');
  assert.throws(() => parseCliArgs([...codex, '--sandbox', 'current', '--setup-helper', '/x/setup.exe', '--', 'x']), new UsageError('--setup-helper names the helper of the sandbox refresh, which is off with --sandbox current: add --sandbox-refresh to run it'));
  assert.throws(() => parseCliArgs([...codex, '--no-sandbox-refresh', '--setup-helper', '/x/setup.exe', '--', 'x']), new UsageError('--setup-helper names the helper of the sandbox refresh, which --no-sandbox-refresh turns off: give one'));
  assert.throws(() => parseCliArgs([...codex, '--sandbox-refresh', '--no-sandbox-refresh', '--', 'x']), new UsageError('--sandbox-refresh and --no-sandbox-refresh contradict each other: give one'));
  assert.match(CLI_USAGE, /--sandbox-refresh {5}with --runner codex --sandbox current: run the refresh all the same/);
});

test('doctor takes --setup-helper', () => {
  assert.deepEqual(parseCliArgs(['doctor', '--setup-helper', '/x/setup.exe', '--json']), { kind: 'doctor', args: { json: true, setupHelper: '/x/setup.exe' } });
  assert.deepEqual(parseCliArgs(['doctor', '--setup-helper=/y']), { kind: 'doctor', args: { json: false, setupHelper: '/y' } });
  assert.throws(() => parseCliArgs(['doctor', '--json=1']), new UsageError('--json takes no value, got --json=1'));
  assert.match(CLI_USAGE, /doctor \[--codex-home DIR\] \[--codex-install PATH\] \[--setup-helper PATH\] \[--json\]/);
});

test('the bin with --runner codex --sandbox current --sandbox-refresh --setup-helper runs that helper before the runner', { skip: posixOnly('the helper stand-in is a sh script') }, async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cli-refresh-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(path.join(root, 'work'));
  // codex's runner cannot run here: any program at its name is launched, and fails to connect.
  writeFileSync(path.join(home, '.sandbox-bin', 'codex-command-runner-0.171.0.exe'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(home, '.sandbox-bin', 'codex-command-runner-0.171.0.exe'), 0o755);
  const helper = path.join(root, 'helper');
  writeFileSync(helper, `#!/bin/sh\n# struct Payload with 17 elements (the marker codex 0.171.0's helper carries)\necho "$1" > '${path.join(root, 'payload')}'\n`);
  chmodSync(helper, 0o755);
  const args = ['run', '--runner', 'codex', '--codex-home', home, '--sandbox', 'current', '--sandbox-refresh', '--setup-helper', helper, '--cwd', path.join(root, 'work'), '--status', '--no-stdin', '--', 'true'];
  const r = await runBin(args);
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, new RegExp(`^ {2}refresh {6}ran \\(${helper.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`, 'm'));
  const payload = JSON.parse(Buffer.from(readFileSync(path.join(root, 'payload'), 'utf8').trim(), 'base64').toString('utf8'));
  assert.equal(payload.refresh_only, true);
  assert.equal(payload.command_cwd, path.join(root, 'work'));
});

function runBin(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('--codex-install PATH for run and doctor; sandbox status with its flags; the usage names them', () => {
  const run = parseCliArgs(['run', '--runner', 'codex', '--codex-home', 'H', '--codex-install', 'C:/npm/codex.exe', '--', 'cmd.exe']);
  assert.equal(run.kind === 'run' && run.args.codexInstall, 'C:/npm/codex.exe');
  assert.deepEqual(parseCliArgs(['doctor', '--codex-install=D:/codex']), { kind: 'doctor', args: { json: false, codexInstall: 'D:/codex' } });
  assert.deepEqual(parseCliArgs(['sandbox', 'status', '--codex-home', 'H', '--codex-install', 'I', '--json']), { kind: 'sandbox-status', args: { json: true, codexHome: 'H', codexInstall: 'I' } });
  assert.deepEqual(parseCliArgs(['sandbox', 'status']), { kind: 'sandbox-status', args: { json: false } });
  assert.throws(() => parseCliArgs(['sandbox', 'status', '--codex-home']), UsageError);
  assert.throws(() => parseCliArgs(['sandbox']), /unknown sandbox command ""/);
  assert.match(CLI_USAGE, /codex-runner-ipc sandbox status \[--codex-home DIR\] \[--codex-install PATH\] \[--json\]/);
  assert.match(CLI_USAGE, /--codex-install PATH {2}with --runner codex: codex's install/);
  assert.throws(() => parseCliArgs(['run', '--codex-install', 'I', '--', 'x']), new UsageError("--codex-install applies to codex's runner only: add --runner codex (and --codex-home DIR)"));
});
