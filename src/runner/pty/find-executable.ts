// execvp's lookup, done before the terminal helper runs: a command that does not exist must fail
// the spawn (spawn_failed, as pipes sessions do), not start a helper that prints an error into
// the terminal and exits 1.
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** execvp's fallback when the environment has no PATH. */
const DEFAULT_PATH = '/usr/bin:/bin';

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path execvp would run for `file`, or an Error that says why there is none. */
export function findExecutable(file: string, env: Record<string, string>, cwd: string): string {
  if (file === '') throw new Error('empty command name');
  if (file.includes('/')) {
    const full = path.resolve(cwd, file);
    if (!isExecutableFile(full)) throw new Error(`${full} is not an executable file`);
    return full;
  }
  const searchPath = env.PATH ?? DEFAULT_PATH;
  for (const dir of searchPath.split(':')) {
    const full = path.resolve(cwd, dir === '' ? '.' : dir, file);
    if (isExecutableFile(full)) return full;
  }
  throw new Error(`no executable named ${JSON.stringify(file)} on PATH ${JSON.stringify(searchPath)}`);
}
