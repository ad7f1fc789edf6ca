// The environment a command inherits when its caller gives none: the app's own, minus what only
// the app's binary should see. The packaged app keeps Electron's RunAsNode fuse on (the runner is
// `ELECTRON_RUN_AS_NODE=1 <app binary> runner.js`), so that variable turns the app binary into a
// Node runtime: a command must not inherit the switch. An explicit `env` is used exactly as given.

/** Dropped from the inherited environment (compared case-insensitively: Windows names are). */
export const APP_ONLY_ENV_VARIABLES: readonly string[] = ['ELECTRON_RUN_AS_NODE'];

export function inheritedCommandEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string' && !APP_ONLY_ENV_VARIABLES.includes(k.toUpperCase())) out[k] = v;
  }
  return out;
}
