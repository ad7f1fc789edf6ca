// Why a directory cannot be a process's working directory. A spawn in a missing cwd fails with
// ENOENT, the same code as a missing executable: without this, "runner ... not found" named the
// wrong file. (This package's runner checks its command's cwd the same way: runner/command-runner.ts.)
import { promises as fs } from 'node:fs';

/** The problem in the runner's words ("working directory X does not exist"), or undefined when none is seen. */
export async function cwdProblem(cwd: string): Promise<string | undefined> {
  try {
    if (!(await fs.stat(cwd)).isDirectory()) return `working directory ${cwd} is not a directory`;
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `working directory ${cwd} does not exist`;
    // Unreadable to this process says nothing of the account the runner runs as: the launch decides.
    return undefined;
  }
}
