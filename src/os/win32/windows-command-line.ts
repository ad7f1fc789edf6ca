// Builds a Windows command line that CommandLineToArgvW (and the MSVC C runtime, which node.exe
// uses) splits back into exactly the given argv. Needed where we call CreateProcess* ourselves;
// child_process.spawn does its own quoting.

/** CreateProcess's limit, in UTF-16 units, including the terminating NUL. */
export const MAX_COMMAND_LINE = 32767;

/**
 * One argument, quoted only when it must be (empty, or holding a space, tab, CR, LF or quote), as
 * upstream's runner builds its command's line (codex-rs `argv_to_command_line` with
 * `quote_windows_arg`; setup.rs `quote_arg`, for the setup helper's payload, is the same rule).
 * Programs that parse their own line, cmd.exe first of all, see plain words as plain words:
 * `cmd.exe /d /c exit 3`, where `"/d" "/c" "exit" "3"` made cmd.exe fail with 9009.
 * Inside quotes backslashes are literal except before a quote, where 2n+1 of them stand for n
 * backslashes and a literal quote; so each run before a quote (or the closing quote) is doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError(`argument ${JSON.stringify(arg)} contains a NUL character, which a command line cannot carry`);
  if (arg !== '' && !/[ \t\r\n"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(backslashes * 2 + 1) + '"';
    else out += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/**
 * `"<exe>" <arg> ...`. The program name follows simpler rules (quotes delimit, backslashes are
 * literal), so it may not contain a quote; a path never does.
 */
export function windowsCommandLine(exe: string, args: readonly string[]): string {
  if (exe === '' || /["\0]/.test(exe)) throw new TypeError(`program path ${JSON.stringify(exe)} must be non-empty and contain no quote or NUL`);
  const line = [`"${exe}"`, ...args.map(quoteWindowsArg)].join(' ');
  if (line.length + 1 > MAX_COMMAND_LINE) throw new RangeError(`command line is ${line.length} characters; Windows allows at most ${MAX_COMMAND_LINE - 1}`);
  return line;
}

/** cmd.exe's own limit on the command line it runs, in characters. */
export const MAX_CMD_COMMAND_LINE = 8191;

/**
 * A batch file cannot be started by CreateProcess; cmd.exe runs it:
 * `"<cmd.exe>" /d /v:off /s /c ""<script>" "<arg>" ..."`. cmd.exe parses that line by its own
 * rules, not CommandLineToArgvW's, so `\"` escaping does not apply (the "BatBadBut" class of
 * bugs). Every piece is wrapped in plain quotes; a piece that would break out of them or be
 * rewritten inside them is refused, not escaped:
 * - `"` toggles cmd's quoting, exposing what follows (`&`, `|`, ...) to the shell;
 * - `%` expands variables even inside quotes;
 * - CR/LF end the command; NUL cannot be carried.
 * Inside balanced quotes `& | < > ( ) ^` are literal; `!` would expand only with delayed
 * expansion, which `/v:off` turns off. `/d` skips AutoRun commands from the registry; `/s` strips
 * exactly the outer pair of quotes around what follows `/c`.
 */
export function batchCommandLine(cmdExe: string, script: string, args: readonly string[]): string {
  const pieces = [script, ...args];
  pieces.forEach((piece, index) => {
    const bad = /["%\r\n\0]/.exec(piece);
    if (!bad) return;
    const what = index === 0 ? `batch file path ${JSON.stringify(script)}` : `argument ${index} (${JSON.stringify(piece)})`;
    throw new TypeError(
      `${what} contains ${JSON.stringify(bad[0])}, which cmd.exe would interpret; it cannot be passed to a batch file safely (run cmd.exe yourself with your own quoting)`,
    );
  });
  const inner = pieces.map((piece) => `"${piece}"`).join(' ');
  if (inner.length > MAX_CMD_COMMAND_LINE) {
    throw new RangeError(`batch command line is ${inner.length} characters; cmd.exe allows at most ${MAX_CMD_COMMAND_LINE}`);
  }
  return windowsCommandLine(cmdExe, []) + ` /d /v:off /s /c "${inner}"`;
}
