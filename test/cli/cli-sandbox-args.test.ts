// The two flags for codex's runner: --sandbox current and --no-sandbox-refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI_USAGE, parseCliArgs, UsageError } from '../../src/cli/cli-args';

test('--sandbox current and --no-sandbox-refresh reach the run arguments; anything else for --sandbox is refused', () => {
  const parsed = parseCliArgs(['run', '--runner', 'codex', '--codex-home', 'H', '--sandbox', 'current', '--no-sandbox-refresh', '--', 'cmd.exe']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.equal(parsed.args.sandbox, 'current');
  assert.equal(parsed.args.refreshSandbox, false);
  const plain = parseCliArgs(['run', '--', 'x']);
  assert.equal(plain.kind === 'run' && plain.args.sandbox, undefined);
  assert.equal(plain.kind === 'run' && plain.args.refreshSandbox, undefined);
  assert.equal((parseCliArgs(['run', '--sandbox=current', '--', 'x']) as { args: { sandbox?: string } }).args.sandbox, 'current');
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

test('--codex-install PATH for run and doctor; sandbox status with its flags; the usage names them', () => {
  const run = parseCliArgs(['run', '--runner', 'codex', '--codex-home', 'H', '--codex-install', 'C:/npm/codex.exe', '--', 'cmd.exe']);
  assert.equal(run.kind === 'run' && run.args.codexInstall, 'C:/npm/codex.exe');
  assert.deepEqual(parseCliArgs(['doctor', '--codex-install=D:/codex']), { kind: 'doctor', args: { json: false, codexInstall: 'D:/codex' } });
  assert.deepEqual(parseCliArgs(['sandbox', 'status', '--codex-home', 'H', '--codex-install', 'I', '--json']), { kind: 'sandbox-status', args: { json: true, codexHome: 'H', codexInstall: 'I' } });
  assert.deepEqual(parseCliArgs(['sandbox', 'status']), { kind: 'sandbox-status', args: { json: false } });
  assert.throws(() => parseCliArgs(['sandbox', 'status', '--codex-home']), UsageError);
  assert.throws(() => parseCliArgs(['sandbox']), /unknown sandbox command ""/);
  assert.match(CLI_USAGE, /codex-runner-ipc sandbox status \[--codex-home DIR\] \[--codex-install PATH\] \[--json\]/);
  assert.match(CLI_USAGE, /--codex-install PATH {2}codex's install/);
});
