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
