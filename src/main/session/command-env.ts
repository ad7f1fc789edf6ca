// The environment a command gets when the caller gives none. The runner may run it as another
// account (the sandbox user), so the app's own secrets and runtime switches must not cross over:
// - upstream's NON_INHERITABLE_ENV_VARS (codex-rs/protocol/src/shell_environment.rs), which no
//   command of codex's may inherit, matched ignoring case as upstream does;
// - codex's shell-environment default excludes `*KEY*`, `*SECRET*`, `*TOKEN*` (case-insensitive
//   globs over the whole name). Upstream keeps them off unless configured
//   (`ignore_default_excludes` defaults to true); ours are always on, because our default crosses
//   to another account. `*PASSWORD*`/`*PASSWD*` join them for the same reason;
// - Electron's and Node's control variables: with ELECTRON_RUN_AS_NODE a command could turn the
//   app's own binary into a Node runtime, NODE_OPTIONS could load code into any node it starts.
// An explicit `env` option is sent as given: the caller then has full control.

/** Upstream's NON_INHERITABLE_ENV_VARS. */
export const NON_INHERITABLE_ENV_VARS = [
  'CODEX_EXEC_SERVER_NOISE_AUTH_TOKEN',
  'NODE_REPL_AUTH_TOKEN',
  'OPENAI_FEDERATION_RULE_ID',
  'OPENAI_IDENTITY_TOKEN_FILE',
  'OPENAI_WORKLOAD_IDENTITY_CONTEXT',
] as const;

/** Substrings that mark a secret, matched ignoring case anywhere in the name. */
export const SECRET_NAME_PARTS = ['KEY', 'SECRET', 'TOKEN', 'PASSWORD', 'PASSWD'] as const;

/** Runtime control variables, by exact name (ignoring case) or by prefix. */
const CONTROL_NAMES = ['NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE', 'NODE_UNIQUE_ID', 'NODE_V8_COVERAGE', 'CODEX_RUNNER_IPC_DEMO'];
const CONTROL_PREFIXES = ['ELECTRON_', 'NODE_CHANNEL_'];

/** Why `name` is kept out of a default environment, or null when it may pass. */
export function excludedBecause(name: string): string | null {
  const upper = name.toUpperCase();
  if ((NON_INHERITABLE_ENV_VARS as readonly string[]).includes(upper)) return 'codex never lets a command inherit it';
  const part = SECRET_NAME_PARTS.find((p) => upper.includes(p));
  if (part) return `its name contains ${part}`;
  if (CONTROL_NAMES.includes(upper) || CONTROL_PREFIXES.some((p) => upper.startsWith(p))) return 'it controls Electron or Node';
  return null;
}

/** `from` (default: this process's environment) without what must not reach a sandboxed command. */
export function defaultCommandEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (typeof value === 'string' && excludedBecause(name) === null) env[name] = value;
  }
  return env;
}
