export const RUNNER_USAGE = 'usage: codex-command-runner --pipe-in=<pipe the parent writes> --pipe-out=<pipe the parent reads>';

/** Parses the runner's command line; throws an Error whose message is meant for stderr. */
export function parseRunnerArgs(argv: readonly string[]): { pipeIn: string; pipeOut: string } {
  let pipeIn: string | undefined;
  let pipeOut: string | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--pipe-in=')) pipeIn = arg.slice('--pipe-in='.length);
    else if (arg.startsWith('--pipe-out=')) pipeOut = arg.slice('--pipe-out='.length);
    else throw new Error(`runner: unexpected argument ${JSON.stringify(arg)}\n${RUNNER_USAGE}`);
  }
  if (!pipeIn) throw new Error(`runner: no pipe-in provided\n${RUNNER_USAGE}`);
  if (!pipeOut) throw new Error(`runner: no pipe-out provided\n${RUNNER_USAGE}`);
  return { pipeIn, pipeOut };
}
