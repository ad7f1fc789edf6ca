import type { RunnerSpec } from '../launch/runner-spec';

export interface SandboxAccount {
  /** The account the runner runs as; the pipes admit only it. Defaults to the current user. */
  username?: string;
  /** Windows: launch the runner as `username` through CreateProcessWithLogonW. */
  credentials?: { password: string; domain?: string };
}

export interface SessionOptions {
  /** argv of the command; `command[0]` is resolved by the runner. */
  command: string[];
  cwd?: string;
  /** The command's whole environment. Defaults to this process's environment. */
  env?: Record<string, string>;
  /** Kill the command after this long (it then exits with 192, `timedOut: true`). */
  timeoutMs?: number | null;
  /** Keep the command's stdin open for `write`/`closeStdin`; otherwise it reads EOF. */
  stdinOpen?: boolean;
  tty?: boolean;
  sandbox?: SandboxAccount;
  /** Enables runner materialization into `<codexHome>/.sandbox-bin` and the runner's own cwd. */
  codexHome?: string;
  logDir?: string;
  /** The runner to start; defaults to this package's runner under this process's binary. */
  runner?: RunnerSpec;
  /** Per pipe: how long the runner may take to connect. Upstream: 15 s. */
  connectTimeoutMs?: number;
  /** How long the runner may take to answer the spawn request. Upstream: 15 s. */
  spawnReadyTimeoutMs?: number;
  /** After `terminate()`, how long the runner gets to report the exit before it is killed. */
  terminateGraceMs?: number;
  /** Passed through to the runner; this project's runner does not enforce them. */
  policy?: string;
  capSids?: string[];
  realUserSid?: string;
  usePrivateDesktop?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_SPAWN_READY_TIMEOUT_MS = 15_000;
export const DEFAULT_TERMINATE_GRACE_MS = 3_000;
