// The environment block for a runner started as another user. Upstream passes NULL (the sandbox
// user's own environment, from LOGON_WITH_PROFILE); we do the same unless the runner spec needs
// variables of its own (Electron's binary needs ELECTRON_RUN_AS_NODE to act as node). Then the
// block holds only what any Windows process needs to start, plus those variables: nothing of the
// app user's own environment (profile paths, tokens) leaks to the sandbox account. The command
// the runner starts gets its environment from the spawn request, not from here.

/** Variables copied from this process: system locations every Windows process expects. */
const SYSTEM_VARIABLES = ['SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'PATHEXT', 'OS', 'PROCESSOR_ARCHITECTURE', 'NUMBER_OF_PROCESSORS'];

/** `K=V\0...\0\0` in UTF-16, sorted case-insensitively as CreateProcess wants. */
export function environmentBlock(extra: Record<string, string>, from: NodeJS.ProcessEnv = process.env): Buffer {
  const vars = new Map<string, [string, string]>(); // upper-cased name -> [name, value]
  const byUpper = new Map(Object.entries(from).map(([k, v]) => [k.toUpperCase(), v]));
  for (const name of SYSTEM_VARIABLES) {
    const value = byUpper.get(name.toUpperCase());
    if (typeof value === 'string') vars.set(name.toUpperCase(), [name, value]);
  }
  for (const [name, value] of Object.entries(extra)) {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new TypeError(`environment variable ${JSON.stringify(name)} cannot go into an environment block`);
    }
    vars.set(name.toUpperCase(), [name, value]);
  }
  const entries = [...vars.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, [k, v]]) => `${k}=${v}\0`);
  return Buffer.from(`${entries.join('')}\0`, 'utf16le');
}
