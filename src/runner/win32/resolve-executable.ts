// Which file a spawn request's command[0] names, found from the REQUEST's environment and cwd and
// handed to CreateProcessW as lpApplicationName. With lpApplicationName NULL, CreateProcessW would
// search by itself, starting with the folder of the runner's own executable, then the runner's
// cwd, the system folders and the runner's PATH: none of which the request chose.
//
// The order follows upstream's codex-rs/windows-sandbox-rs/src/command_resolution.rs
// (`resolve_windows_executable`, openai/codex):
// - a program with a path (absolute, or containing `\` or `/`) is that one file, relative paths
//   against the request's cwd; drive-relative (`C:x`) and root-relative (`\x`) paths are refused;
// - a bare name is looked for in each PATH entry in order (PATH and PATHEXT looked up
//   case-insensitively, PATHEXT defaulting to `.COM;.EXE;.BAT;.CMD`, relative entries against the
//   cwd), in each folder trying the name with each PATHEXT extension, then the name as is;
// - the first candidate that exists (not a folder) wins, even a batch file: resolution fails
//   closed rather than skipping to a later candidate, and an error while inspecting a candidate
//   stops the search.
// Where we differ, on purpose:
// - upstream searches the request's cwd before PATH (as CreateProcess does); we do not. The cwd
//   is the workspace, whose files the command's author may not control: a planted `git.exe` there
//   would run for a bare `git` (Windows' own NoDefaultCurrentDirectoryInExePath makes the same
//   choice). `.\tool` still runs a tool from the cwd.
// - upstream uses a name's extension, any extension, as final (`python3.11` is only ever
//   `python3.11`); we do that only when the extension is one of PATHEXT, as cmd.exe does, and
//   otherwise try the PATHEXT extensions first.
// - upstream refuses batch files; we run them through `cmd.exe /d /v:off /s /c` with arguments that
//   are safe for it (see batchCommandLine), cmd.exe itself named by absolute path from
//   GetSystemDirectoryW, never looked up.
import { lstatSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { batchCommandLine, windowsCommandLine } from '../../os/win32/windows-command-line';
import { lazyApi } from '../../os/win32/win32-api';
import { lastWin32Error } from '../../os/win32/win32-error';

/** A path in a message, quoted but not escaped: Windows paths read as they are typed. */
const quoted = (text: string) => `"${text}"`;

export const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** What CreateProcessW gets: the file to run and its whole command line. */
export interface WindowsLaunch {
  application: string;
  commandLine: string;
}

/** `C:\...`, `C:/...`, or `\\server\...` / `\\?\...` / `\\.\...`: needs no base. */
function isFullyQualified(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}/.test(p);
}

function isDriveRelative(p: string): boolean {
  return /^[A-Za-z]:(?![\\/])/.test(p);
}

function isRootRelative(p: string): boolean {
  return /^[\\/](?![\\/])/.test(p);
}

/** The variable `name` from `env`: the exact spelling first, then any other case (Windows' names are case-insensitive). */
export function envValue(env: Record<string, string>, name: string): string | undefined {
  if (Object.hasOwn(env, name)) return env[name];
  const upper = name.toUpperCase();
  const key = Object.keys(env).find((k) => k.toUpperCase() === upper);
  return key === undefined ? undefined : env[key];
}

/** PATH's entries as Windows splits them: `;` separates, double quotes group (and are dropped). */
export function splitSearchPath(value: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) {
      entries.push(current);
      current = '';
    } else current += ch;
  }
  entries.push(current);
  return entries;
}

/** PATHEXT's usable extensions (`.EXE`, ...), in order. */
export function pathExtensions(env: Record<string, string>): string[] {
  return (envValue(env, 'PATHEXT') ?? DEFAULT_PATHEXT)
    .split(';')
    .map((ext) => ext.trim())
    .filter((ext) => ext.startsWith('.') && ext.length > 1);
}

/** Whether `file` exists and is not a folder; a dangling link counts as a file, as upstream. */
function isExistingFile(file: string): boolean {
  for (const stat of [statSync, lstatSync]) {
    try {
      return !stat(file).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new Error(`cannot inspect ${file} while looking for the program to run: ${(err as Error).message}`);
    }
  }
  return false;
}

/**
 * The absolute path of the program `program` names, looked up from the request's `env` (PATH,
 * PATHEXT) and `cwd` only. Throws an Error naming the program and what was searched.
 */
export function resolveExecutable(program: string, cwd: string, env: Record<string, string>): string {
  if (typeof program !== 'string' || program === '') throw new Error('cannot resolve an empty program name');
  if (program.includes('\0')) throw new Error(`program name ${JSON.stringify(program)} contains a NUL character`); // escaped: the NUL must show
  if (!isFullyQualified(cwd)) throw new Error(`the working directory must be an absolute Windows path, got ${quoted(cwd)}`);
  if (isDriveRelative(program) || isRootRelative(program)) {
    throw new Error(`program path ${quoted(program)} is drive-relative or root-relative; give an absolute path or one relative to the working directory`);
  }
  const extensions = pathExtensions(env);
  const extension = path.win32.extname(program);
  const extensionIsFinal = extension !== '' && extensions.some((ext) => ext.toUpperCase() === extension.toUpperCase());
  const candidatesFor = (base: string) => (extensionIsFinal ? [base] : [...extensions.map((ext) => base + ext), base]);
  const tried = extensionIsFinal ? 'the name as is' : `PATHEXT ${extensions.join(';')}, then the name as is`;

  if (isFullyQualified(program) || /[\\/]/.test(program)) {
    const base = isFullyQualified(program) ? program : path.win32.join(cwd, program);
    const found = candidatesFor(base).find(isExistingFile);
    if (found) return found;
    throw new Error(`program ${quoted(program)} not found: no file ${base} (tried ${tried})`);
  }

  const searchPath = envValue(env, 'PATH');
  if (searchPath === undefined) throw new Error(`program ${quoted(program)} not found: the request's environment has no PATH to search`);
  const folders = splitSearchPath(searchPath)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !isDriveRelative(entry) && !isRootRelative(entry))
    .map((entry) => (isFullyQualified(entry) ? entry : path.win32.join(cwd, entry)));
  for (const folder of folders) {
    const found = candidatesFor(path.win32.join(folder, program)).find(isExistingFile);
    if (found) return found;
  }
  throw new Error(
    `program ${quoted(program)} not found on the request's PATH ${quoted(searchPath)} (tried ${tried} in each folder; the runner's own folder and the working directory are not searched)`,
  );
}

let systemDirectoryCache: string | undefined;

/** Characters written (without the NUL), or the size needed (with it) when `size` is too small; 0 on failure. */
const getSystemDirectoryW = lazyApi((dll) => dll('kernel32.dll').func('uint32_t __stdcall GetSystemDirectoryW(_Out_ uint8_t *buffer, uint32_t size)') as (buffer: Buffer, size: number) => number);

/** %SystemRoot%\System32 as the OS reports it (GetSystemDirectoryW), not from any environment. */
export function systemDirectory(): string {
  if (systemDirectoryCache) return systemDirectoryCache;
  const GetSystemDirectoryW = getSystemDirectoryW();
  let buffer = Buffer.alloc(261 * 2);
  let length = GetSystemDirectoryW(buffer, buffer.length / 2);
  if (length >= buffer.length / 2) {
    buffer = Buffer.alloc(length * 2);
    length = GetSystemDirectoryW(buffer, length);
  }
  if (length === 0 || length >= buffer.length / 2) throw lastWin32Error('GetSystemDirectoryW');
  systemDirectoryCache = buffer.toString('utf16le', 0, length * 2);
  return systemDirectoryCache;
}

/**
 * What CreateProcessW runs for `command` (argv) in `cwd` with `env`: the resolved program, or for a
 * batch file, cmd.exe from the system folder running it.
 */
export function windowsLaunch(command: readonly string[], cwd: string, env: Record<string, string>): WindowsLaunch {
  const [program, ...args] = command;
  if (program === undefined) throw new Error('cannot run an empty command');
  const application = resolveExecutable(program, cwd, env);
  if (/\.(bat|cmd)$/i.test(application)) {
    const cmdExe = path.win32.join(systemDirectory(), 'cmd.exe');
    return { application: cmdExe, commandLine: batchCommandLine(cmdExe, application, args) };
  }
  // argv[0] as the request gave it, as a shell would; the program runs from `application`.
  return { application, commandLine: windowsCommandLine(program, args) };
}
