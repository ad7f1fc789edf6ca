// Builds a Windows command line that CommandLineToArgvW (and the MSVC C runtime, which node.exe
// uses) splits back into exactly the given argv. Needed where we call CreateProcess* ourselves;
// child_process.spawn does its own quoting.

/** CreateProcess's limit, in UTF-16 units, including the terminating NUL. */
export const MAX_COMMAND_LINE = 32767;

/**
 * One argument, always quoted: backslashes are literal except before a quote, where 2n+1 of them
 * stand for n backslashes and a literal quote; so double each run that precedes a quote (or the
 * closing quote) and escape the quote.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError(`argument ${JSON.stringify(arg)} contains a NUL character, which a command line cannot carry`);
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
 * `"<exe>" "<arg>" ...`. The program name follows simpler rules (quotes delimit, backslashes are
 * literal), so it may not contain a quote; a path never does.
 */
export function windowsCommandLine(exe: string, args: readonly string[]): string {
  if (exe === '' || /["\0]/.test(exe)) throw new TypeError(`program path ${JSON.stringify(exe)} must be non-empty and contain no quote or NUL`);
  const line = [`"${exe}"`, ...args.map(quoteWindowsArg)].join(' ');
  if (line.length + 1 > MAX_COMMAND_LINE) throw new RangeError(`command line is ${line.length} characters; Windows allows at most ${MAX_COMMAND_LINE - 1}`);
  return line;
}
