// Entry point of `codex-command-runner` (run with node, or Electron's binary in Node mode).
import { runCommandRunner } from './command-runner';
import { parseRunnerArgs, type RunnerArgs } from './runner-args';

export function main(argv: readonly string[]): void {
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  runCommandRunner(args).then(
    (code) => {
      process.exitCode = code & 0xff;
    },
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 3;
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
