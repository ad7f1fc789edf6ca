// Demo sessions for development and e2e, started from the main side (never through the renderer
// API): `--demo-sessions` starts a sample set, `--demo-sessions=<json>` or the environment variable
// CODEX_RUNNER_IPC_DEMO=<json> a given set. Each runs a Node script under this process's binary,
// so the same spec works under node, Electron (as node) and on Windows.
import type { Session, SessionManager } from '../../src/main/index';

export interface DemoSessionSpec {
  /** JavaScript run with `<this binary> -e <script>`. */
  script: string;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Launch a runner that never connects its pipes (shows the connect-timeout failure). The `--`
   * keeps node from reading the appended --pipe-in/--pipe-out as its own options. */
  neverConnects?: boolean;
  /**
   * Run under codex's runner as codex's sandbox users (`runner: { kind: 'codex' }`, in the host's codexHome),
   * so that (on Windows) the panel shows that home's readiness; where codex's sandbox is not set up
   * the session fails at `preparing`, naming setup.
   */
  codexSandbox?: boolean;
}

export const DEMO_ENV = 'CODEX_RUNNER_IPC_DEMO';
export const DEMO_SWITCH = '--demo-sessions';
const MAX_DEMO_SESSIONS = 16;
const MAX_SCRIPT_LENGTH = 4096;

export const SAMPLE_DEMO_SESSIONS: DemoSessionSpec[] = [
  { script: "let n=0;const t=setInterval(()=>{console.log('tick '+(++n));if(n===40){clearInterval(t)}},250)" },
  { script: "process.stdout.write('done\\n');process.exitCode=3" },
  { script: "setInterval(()=>process.stdout.write('.'.repeat(512)),50)" },
  { script: '0', neverConnects: true, connectTimeoutMs: 1500 },
];

/** The demo set asked for on the command line or in the environment, or null when none is. */
export function demoSpecsFromLaunch(argv: readonly string[], env: Record<string, string | undefined>): DemoSessionSpec[] | null {
  const arg = argv.find((a) => a === DEMO_SWITCH || a.startsWith(DEMO_SWITCH + '='));
  if (arg === DEMO_SWITCH) return SAMPLE_DEMO_SESSIONS;
  if (arg) return parseDemoSpecs(arg.slice(DEMO_SWITCH.length + 1), DEMO_SWITCH);
  const fromEnv = env[DEMO_ENV];
  if (fromEnv) return parseDemoSpecs(fromEnv, DEMO_ENV);
  return null;
}

export function parseDemoSpecs(text: string, source: string): DemoSessionSpec[] {
  if (text === 'sample') return SAMPLE_DEMO_SESSIONS;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new Error(`${source}: expected an array of demo sessions`);
  if (value.length > MAX_DEMO_SESSIONS) throw new Error(`${source}: ${value.length} demo sessions, the limit is ${MAX_DEMO_SESSIONS}`);
  return value.map((v, i) => checkSpec(v, `${source}[${i}]`));
}

function checkSpec(v: unknown, where: string): DemoSessionSpec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: expected an object`);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['script', 'timeoutMs', 'connectTimeoutMs', 'neverConnects', 'codexSandbox'].includes(key)) throw new Error(`${where}: unknown field ${JSON.stringify(key)}`);
  }
  if (typeof o.script !== 'string' || o.script.length === 0) throw new Error(`${where}.script: expected a non-empty string`);
  if (o.script.length > MAX_SCRIPT_LENGTH) throw new Error(`${where}.script: ${o.script.length} characters, the limit is ${MAX_SCRIPT_LENGTH}`);
  const spec: DemoSessionSpec = { script: o.script };
  for (const key of ['timeoutMs', 'connectTimeoutMs'] as const) {
    const n = o[key];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > 3_600_000) throw new Error(`${where}.${key}: expected a whole number of milliseconds in 1..3600000`);
    spec[key] = n;
  }
  for (const key of ['neverConnects', 'codexSandbox'] as const) {
    const b = o[key];
    if (b === undefined) continue;
    if (typeof b !== 'boolean') throw new Error(`${where}.${key}: expected true or false`);
    spec[key] = b;
  }
  return spec;
}

export interface DemoHost {
  /** The binary that runs the scripts (node, or Electron's binary). */
  execPath: string;
  /** Set when execPath is Electron's binary, so it runs as plain Node. */
  runAsNode: boolean;
  env: Record<string, string | undefined>;
  /** The codex home `codexSandbox` sessions use (the app's; a session's runner replaces the manager's whole). */
  codexHome?: string;
}

/** Starts the sessions; their output is read and dropped, since nobody else reads it (backpressure). */
export function startDemoSessions(manager: SessionManager, specs: readonly DemoSessionSpec[], host: DemoHost): Session[] {
  const asNode: Record<string, string> = host.runAsNode ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host.env)) if (v !== undefined) env[k] = v;
  return specs.map((spec) => {
    const session = manager.start({
      command: [host.execPath, '-e', spec.script],
      env: { ...env, ...asNode },
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
      ...(spec.connectTimeoutMs !== undefined ? { timeouts: { connectMs: spec.connectTimeoutMs } } : {}),
      ...(spec.neverConnects ? { runner: { kind: 'custom' as const, spec: { exe: host.execPath, args: ['-e', 'setTimeout(() => {}, 60000)', '--'], env: asNode } } } : {}),
      ...(spec.codexSandbox && !spec.neverConnects ? { runner: { kind: 'codex' as const, codexHome: host.codexHome! } } : {}),
    });
    session.stdout.resume();
    session.stderr.resume();
    return session;
  });
}
