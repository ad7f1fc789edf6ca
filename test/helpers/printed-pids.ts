// Tests start shells that `echo $!` the pids of what they start; this reads those lines back.
import type { ChildProcess } from 'node:child_process';

/** The first `count` pids `shell` prints on stdout, one per line; rejects if it exits first. */
export function printedPids(shell: ChildProcess, count: number): Promise<number[]> {
  let text = '';
  return new Promise<number[]>((resolve, reject) => {
    shell.stdout!.on('data', (d: Buffer) => {
      text += d;
      const lines = text.split('\n').filter(Boolean);
      if (lines.length >= count) resolve(lines.slice(0, count).map(Number));
    });
    shell.once('close', () => reject(new Error(`shell exited after printing ${JSON.stringify(text)}`)));
  });
}
