// The environment block for a runner started as another user. Upstream passes NULL (the sandbox
// user's own environment; logon flags are 0 since upstream's #34629); we do the same unless the runner spec needs
// variables of its own (Electron's binary needs ELECTRON_RUN_AS_NODE to act as node). Then the
// block holds only what any Windows process needs to start, plus those variables: nothing of the
// app user's own environment (profile paths, tokens) leaks to the sandbox account. The command
// the runner starts gets its environment from the spawn request, not from here.

/** Variables copied from this process: system locations every Windows process expects. */
const SYSTEM_VARIABLES = ['SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'PATHEXT', 'OS', 'PROCESSOR_ARCHITECTURE', 'NUMBER_OF_PROCESSORS'];

/**
 * The runner's block: exactly the variables of this launch, nothing of the app user's own
 * environment except the system locations any Windows process needs to start.
 */
export function environmentBlock(extra: Record<string, string>, from: NodeJS.ProcessEnv = process.env): Buffer {
  const vars: Record<string, string> = {};
  const byUpper = new Map(Object.entries(from).map(([k, v]) => [k.toUpperCase(), v]));
  for (const name of SYSTEM_VARIABLES) {
    const value = byUpper.get(name.toUpperCase());
    if (typeof value === 'string') vars[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    for (const known of Object.keys(vars)) if (known.toUpperCase() === name.toUpperCase()) delete vars[known];
    vars[name] = value;
  }
  return encodeEnvironmentBlock(vars);
}

/**
 * CreateProcess's lpEnvironment with CREATE_UNICODE_ENVIRONMENT: "NAME=value\0" entries sorted
 * case-insensitively as Windows expects, ended by one more "\0", in UTF-16LE. Plain logic, used by
 * the main process (logon launch) and the runner (ConPTY children) alike.
 */
export function encodeEnvironmentBlock(env: Record<string, string>): Buffer {
  const entries = Object.entries(env);
  for (const [name, value] of entries) {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new TypeError(`environment variable ${JSON.stringify(name)} cannot be passed to Windows (empty name, or '=' or NUL in it)`);
    }
  }
  entries.sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0));
  const text = entries.map(([name, value]) => `${name}=${value}\0`).join('');
  return Buffer.from(entries.length === 0 ? '\0\0' : `${text}\0`, 'utf16le');
}
