// The quoting rules of CommandLineToArgvW, checked as a pure function (the Wine suite checks the
// same cases against a real node.exe parsing its own command line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCommandLine, MAX_CMD_COMMAND_LINE, MAX_COMMAND_LINE, quoteWindowsArg, windowsCommandLine } from '../../src/os/win32/windows-command-line';

/** A reference splitter following the documented CommandLineToArgvW rules for arguments after the program name. */
function splitArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (!quoted && (ch === ' ' || ch === '\t')) break;
      if (ch === '\\') {
        let n = 0;
        while (line[i] === '\\') (n++, i++);
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (ch === '"') {
        if (quoted && line[i + 1] === '"') (arg += '"', i++);
        else quoted = !quoted;
      } else arg += ch;
    }
    args.push(arg);
  }
  return args;
}

const NASTY_ARGS = [
  '',
  'plain',
  'with space',
  'tab\there',
  'say "hi"',
  '"',
  '""',
  'trailing\\',
  'trailing two\\\\',
  'C:\\Program Files\\x\\',
  'a\\\\"b',
  '\\"',
  '\\\\server\\share',
  '--pipe-in=\\\\.\\pipe\\codex-runner-0123456789abcdef0123456789abcdef-in',
  'ünïcødé ✓',
  '%PATH% ^& | < >',
];

test('each argument survives quoting and splitting unchanged', () => {
  for (const arg of NASTY_ARGS) assert.deepEqual(splitArgs(quoteWindowsArg(arg)), [arg], `argument ${JSON.stringify(arg)} as ${quoteWindowsArg(arg)}`);
  assert.deepEqual(splitArgs(NASTY_ARGS.map(quoteWindowsArg).join(' ')), NASTY_ARGS);
});

test('known encodings', () => {
  assert.equal(quoteWindowsArg(''), '""');
  assert.equal(quoteWindowsArg('x'), 'x'); // plain words stay plain, as upstream writes them
  assert.equal(quoteWindowsArg('/c'), '/c');
  assert.equal(quoteWindowsArg('C:\\dir\\'), 'C:\\dir\\'); // unquoted, a trailing backslash is literal
  assert.equal(quoteWindowsArg('a b'), '"a b"');
  assert.equal(quoteWindowsArg('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteWindowsArg('trailing \\'), '"trailing \\\\"');
  assert.equal(quoteWindowsArg('a \\b'), '"a \\b"'); // backslashes not before a quote stay single
  assert.equal(quoteWindowsArg('a\\"b'), '"a\\\\\\"b"');
});

test('the program name is quoted as is; the command line is upstream\'s shape', () => {
  assert.equal(
    windowsCommandLine('C:\\codex\\.sandbox-bin\\codex-command-runner.exe', ['--pipe-in=\\\\.\\pipe\\x-in', '--pipe-out=\\\\.\\pipe\\x-out']),
    '"C:\\codex\\.sandbox-bin\\codex-command-runner.exe" --pipe-in=\\\\.\\pipe\\x-in --pipe-out=\\\\.\\pipe\\x-out',
  );
});

test('what a command line cannot carry is refused with a clear error', () => {
  assert.throws(() => quoteWindowsArg('nul\0inside'), /argument "nul\\u0000inside" contains a NUL character/);
  assert.throws(() => windowsCommandLine('C:\\a"b.exe', []), /program path "C:\\\\a\\"b.exe" must be non-empty and contain no quote or NUL/);
  assert.throws(() => windowsCommandLine('', []), /must be non-empty/);
  assert.throws(() => windowsCommandLine('C:\\x.exe', ['y'.repeat(MAX_COMMAND_LINE)]), /command line is \d+ characters; Windows allows at most 32766/);
});

test('a batch file runs as cmd.exe /d /v:off /s /c with every piece in plain quotes', () => {
  assert.equal(
    batchCommandLine('C:\\Windows\\System32\\cmd.exe', 'C:\\tools\\my tool.cmd', ['a b', '', 'x & y | z ^ < > ( ) !v!', 'trail\\']),
    '"C:\\Windows\\System32\\cmd.exe" /d /v:off /s /c ""C:\\tools\\my tool.cmd" "a b" "" "x & y | z ^ < > ( ) !v!" "trail\\""',
  );
});

test('what cmd.exe would expand or re-parse is refused, naming the piece, not escaped', () => {
  const cmd = 'C:\\Windows\\System32\\cmd.exe';
  for (const [arg, ch] of [['say "hi"', '"'], ['50%', '%'], ['%PATH%', '%'], ['a\nb', '\n'], ['a\rb', '\r'], ['a\0b', '\0']] as const) {
    assert.throws(() => batchCommandLine(cmd, 'C:\\t.cmd', ['ok', arg]), {
      name: 'TypeError',
      message: `argument 2 (${JSON.stringify(arg)}) contains ${JSON.stringify(ch)}, which cmd.exe would interpret; it cannot be passed to a batch file safely (run cmd.exe yourself with your own quoting)`,
    });
  }
  assert.throws(() => batchCommandLine(cmd, 'C:\\100%\\t.cmd', []), /^TypeError: batch file path "C:\\\\100%\\\\t.cmd" contains "%"/);
  assert.throws(() => batchCommandLine(cmd, 'C:\\t.cmd', ['x'.repeat(MAX_CMD_COMMAND_LINE)]), { name: 'RangeError', message: /cmd.exe allows at most 8191/ });
});
