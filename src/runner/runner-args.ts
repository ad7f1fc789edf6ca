import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../protocol/versions';

export const RUNNER_USAGE = `usage: codex-runner-ipc-runner --pipe-in=<pipe the parent writes> --pipe-out=<pipe the parent reads>
                            [--protocol=<${PROTOCOL_VERSIONS.join('|')}>] [--allow-unenforced-policy]`;

export interface RunnerArgs {
  pipeIn: string;
  pipeOut: string;
  /** Speak only this version, refusing others as an upstream runner built for it would. */
  protocol?: ProtocolVersion;
  /** Run commands whose permission profile asks for a sandbox although this runner cannot enforce it. */
  allowUnenforcedPolicy: boolean;
}

/** Parses the runner's command line; throws an Error whose message is meant for stderr. */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  let pipeIn: string | undefined;
  let pipeOut: string | undefined;
  let protocol: ProtocolVersion | undefined;
  let allowUnenforcedPolicy = false;
  for (const arg of argv) {
    if (arg.startsWith('--pipe-in=')) pipeIn = arg.slice('--pipe-in='.length);
    else if (arg.startsWith('--pipe-out=')) pipeOut = arg.slice('--pipe-out='.length);
    else if (arg.startsWith('--protocol=')) {
      const v = Number(arg.slice('--protocol='.length));
      if (!isProtocolVersion(v)) throw new Error(`runner: --protocol must be one of ${PROTOCOL_VERSIONS.join(', ')}, got ${JSON.stringify(arg.slice('--protocol='.length))}\n${RUNNER_USAGE}`);
      protocol = v;
    } else if (arg === '--allow-unenforced-policy') allowUnenforcedPolicy = true;
    else throw new Error(`runner: unexpected argument ${JSON.stringify(arg)}\n${RUNNER_USAGE}`);
  }
  if (!pipeIn) throw new Error(`runner: no pipe-in provided\n${RUNNER_USAGE}`);
  if (!pipeOut) throw new Error(`runner: no pipe-out provided\n${RUNNER_USAGE}`);
  return { pipeIn, pipeOut, protocol, allowUnenforcedPolicy };
}
