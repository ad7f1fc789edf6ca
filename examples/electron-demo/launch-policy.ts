// What this launch of the demo app may do, decided from plain facts so it is tested under Node
// (main.ts feeds it app.isPackaged, process.argv and process.env). Demo sessions run whatever
// script they are given and DevTools hand the page to whoever sits at the keyboard: both are for
// development, so a packaged app honours neither.
import { DEMO_ENV, DEMO_SWITCH, demoSpecsFromLaunch, type DemoSessionSpec } from './demo-sessions';

export interface LaunchFacts {
  isPackaged: boolean;
  argv: readonly string[];
  env: Record<string, string | undefined>;
}

export interface LaunchPolicy {
  /** The demo sessions to start, or null. */
  demo: DemoSessionSpec[] | null;
  /** `webPreferences.devTools` for the panel window. */
  devTools: boolean;
  /** One line for the log when something asked for was ignored, saying why; else null. */
  notice: string | null;
  /** Why the app must not start at all, or null. */
  refusal: string | null;
}

/** Chromium's remote debugging: DevTools over a port or pipe, which no fuse turns off. */
const REMOTE_DEBUGGING = /^(?:--|-|\/)remote-debugging-(?:port|pipe)(?:=|$)/i;

/** Throws (with where and why) only for a bad demo spec in an unpackaged app. */
export function launchPolicy(facts: LaunchFacts): LaunchPolicy {
  if (!facts.isPackaged) return { demo: demoSpecsFromLaunch(facts.argv, facts.env), devTools: true, notice: null, refusal: null };
  const remote = chromiumSwitches(facts.argv).find((a) => REMOTE_DEBUGGING.test(a));
  const asked = [
    facts.argv.some((a) => a === DEMO_SWITCH || a.startsWith(DEMO_SWITCH + '=')) && DEMO_SWITCH,
    facts.env[DEMO_ENV] !== undefined && DEMO_ENV,
  ].filter((x): x is string => typeof x === 'string');
  return {
    demo: null,
    devTools: false,
    // Not parsed: a packaged app neither runs nor judges the scripts.
    notice: asked.length ? `codex-runner-ipc: ignoring ${asked.join(' and ')}: demo sessions run arbitrary scripts, so only an unpackaged (development) app starts them` : null,
    refusal: remote ? `codex-runner-ipc: refusing to start with ${remote.split('=')[0]}: remote debugging would open the packaged app's pages to any local process` : null,
  };
}

/** The arguments Chromium reads as switches: everything before a lone `--`. */
function chromiumSwitches(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}
