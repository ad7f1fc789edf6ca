// The options an app gives a session, grouped (the runner choice, the timeouts, the wire-level
// overrides), and the one place they are checked and turned into the flat SessionConfig the
// internals read. Every bad value is named by its path ("timeouts.connectMs"); unknown keys are refused.
import type { RunnerSpec } from '../launch/runner-spec';
import type { BuiltinPermissions, PermissionProfile } from '../../protocol/permissions';
import type { ProtocolVersion } from '../../protocol/versions';
import { isPlainObject } from '../../util/plain-object';
import { checkCommand, checkRunnerSpec, describeValue, OPTION_CHECKS, type OptionCheck, type SandboxAccount, type SessionConfig } from './session-options';

/** Which runner a session starts. */
export type RunnerChoice =
  | {
      /** This package's runner, run by this process's binary. It enforces no permission profile. */
      kind: 'bundled';
      /** A codex home: where the runner is copied for another account, and where `sandbox: 'codex'` reads codex's users. */
      codexHome?: string;
      /** On Windows this runner refuses a profile that asks for a sandbox (it cannot enforce one) unless this is set. */
      allowUnenforcedPolicy?: boolean;
    }
  | {
      /** codex's own `codex-command-runner`, which enforces the profile (Windows). */
      kind: 'codex';
      /** The codex home: the runner in `<codexHome>/.sandbox-bin`, codex's sandbox users, the runner's cwd. */
      codexHome: string;
      /**
       * codex's install (absolute): codex.exe, the folder holding `codex-resources`, or the install
       * root. Default: found as a user has it (`codex` on PATH, npm's shims, the installers' folders).
       * Its runner is copied into `.sandbox-bin` as codex does, and its setup helper used.
       */
      codexInstall?: string;
      /** Prefer `codex-command-runner-<codexVersion>.exe` in `.sandbox-bin`. */
      codexVersion?: string;
      /**
       * Start this as codex's runner rather than the one chosen from the install or `.sandbox-bin`
       * (`doctor` tries each file). The account is then the current user unless `sandbox` says.
       */
      spec?: RunnerSpec;
      /** codex's codex-windows-sandbox-setup.exe (absolute); default from the install, beside the runner, `.sandbox-bin`, then PATH. */
      setupHelper?: string;
      /** Run codex's setup helper in refresh mode before the command, as codex does (default true, false with `sandbox: 'current'`). */
      refreshSandbox?: boolean;
      /**
       * When codex's sandbox users are not set up (or their logon fails as upstream answers with a
       * new setup), run codex's setup (elevated) and go on, once. Default false: SandboxNotReadyError.
       */
      autoSetupSandbox?: boolean;
    }
  | {
      /** Any other runner: `exe ...args --pipe-in=<in> --pipe-out=<out>` (e.g. `configureAppRunner()`'s, a packaged app's copy of this package's runner). */
      kind: 'custom';
      spec: RunnerSpec;
      codexHome?: string;
      /** As for 'bundled', when `spec` is this package's runner (`spec.kind === 'bundled'`, as configureAppRunner's). */
      allowUnenforcedPolicy?: boolean;
    };

export interface SessionOptions {
  /** argv of the command; `command[0]` is resolved by the runner. */
  command: string[];
  /** Relative: to this process's cwd, resolved when the session is made. */
  cwd?: string;
  /**
   * The command's whole environment. Defaults to this process's environment minus what must not
   * cross to a sandbox account. Names whose value is `undefined` are left out, so `process.env` fits.
   */
  env?: Record<string, string | undefined>;
  /** Keep the command's stdin open for `write`/`closeStdin`; otherwise it reads EOF. */
  stdinOpen?: boolean;
  /** Run the command in a terminal (a pseudo console on Windows). */
  tty?: boolean;
  /**
   * Kill the command after this long (it then exits with 192, `timedOut: true`); 1..2^31-1. Also
   * bounds the preparation. null or left out: no timeout (0 is refused: codex's runner would kill at once).
   */
  timeoutMs?: number | null;
  /** What the sandbox may do. Default `'workspace-write'`. */
  permissions?: PermissionProfile | BuiltinPermissions;
  /** The workspace roots the profile's project roots mean (absolute). Default `[cwd]`. */
  workspaceRoots?: string[];
  /** Which runner; default `{ kind: 'bundled' }` (this package's). */
  runner?: RunnerChoice;
  /**
   * Who the runner runs as. `'codex'`: codex's sandbox user from the runner's `codexHome` (the
   * offline user when the permissions restrict the network). `'current'`: this process's own user,
   * no logon. Default: `'codex'` with `runner.kind === 'codex'` (without `runner.spec`), else the current user.
   */
  sandbox?: 'codex' | 'current' | SandboxAccount;
  timeouts?: {
    /** Per pipe: how long the runner may take to connect. Default 15 s (upstream's). */
    connectMs?: number;
    /** How long the runner may take to answer the spawn request. Default 15 s. */
    spawnReadyMs?: number;
    /** After `terminate()`, how long the runner gets to report the exit before it is killed. Default 3 s. */
    terminateGraceMs?: number;
    /** How long the session may wait in `queued` for a launch slot. Default: `timeoutMs`, else as long as it takes. */
    queueMs?: number;
  };
  logDir?: string;
  /** Wire-level overrides; most apps never set these. */
  advanced?: {
    /** The protocol version to speak; `'auto'` (default) finds the runner's, newest first. */
    protocolVersion?: ProtocolVersion | 'auto';
    /** Version 1 only: `policy_json_or_preset` as given, instead of the one `permissions` maps to. */
    policy?: string;
    /** The capability SIDs sent; with codex's runner they default to codex's own (`<codexHome>/cap_sid`). */
    capSids?: string[];
    usePrivateDesktop?: boolean;
    /** Version 6: the parent-owned private desktop the runner should use. */
    privateDesktopName?: string;
    /** Version 5+: the managed network proxy's restricting SID. */
    networkProxyRestrictingSid?: string;
  };
}

/** Options a SessionManager applies to every session it starts (a session's own win; see mergeSessionOptions). */
export type SessionDefaults = Partial<SessionOptions>;

type Group = 'timeouts' | 'advanced';
/** Each grouped key, with the flat SessionConfig field it becomes (its check comes from there). */
const GROUPS: { [G in Group]: Record<string, keyof typeof OPTION_CHECKS> } = {
  timeouts: { connectMs: 'connectTimeoutMs', spawnReadyMs: 'spawnReadyTimeoutMs', terminateGraceMs: 'terminateGraceMs', queueMs: 'queueTimeoutMs' },
  advanced: {
    protocolVersion: 'protocolVersion',
    policy: 'policy',
    capSids: 'capSids',
    usePrivateDesktop: 'usePrivateDesktop',
    privateDesktopName: 'privateDesktopName',
    networkProxyRestrictingSid: 'networkProxyRestrictingSid',
  },
};
const TOP_LEVEL = ['command', 'cwd', 'env', 'stdinOpen', 'tty', 'timeoutMs', 'permissions', 'workspaceRoots', 'sandbox', 'logDir'] as const;
const RUNNER_KEYS: Record<RunnerChoice['kind'], readonly string[]> = {
  bundled: ['kind', 'codexHome', 'allowUnenforcedPolicy'],
  codex: ['kind', 'codexHome', 'codexInstall', 'codexVersion', 'spec', 'setupHelper', 'refreshSandbox', 'autoSetupSandbox'],
  custom: ['kind', 'spec', 'codexHome', 'allowUnenforcedPolicy'],
};
/** Where the flat options of old went: named in the error for a caller still giving them. */
const MOVED: Record<string, string> = {
  ...Object.fromEntries(Object.entries(GROUPS).flatMap(([group, keys]) => Object.entries(keys).map(([key, flat]) => [flat, `it is now ${group}.${key}`]))),
  codexHome: 'it is now runner.codexHome',
  allowUnenforcedPolicy: 'it is now runner.allowUnenforcedPolicy',
  ...Object.fromEntries(['codexInstall', 'codexVersion', 'setupHelper', 'refreshSandbox', 'autoSetupSandbox'].map((k) => [k, `it is now runner.${k} (with runner.kind 'codex')`])),
  realUserSid: "it is gone (upstream's version 1 has no real_user_sid)",
};

/**
 * A manager's defaults, then a session's options: a session's own field wins; `timeouts` and
 * `advanced` merge one level deep; `runner` is replaced as a whole (a codex runner's home and
 * install belong to it).
 */
export function mergeSessionOptions(defaults: SessionDefaults | undefined, options: SessionOptions): SessionOptions {
  if (!defaults) return options;
  const merged: SessionOptions = { ...defaults, ...options };
  for (const group of ['timeouts', 'advanced'] as const) {
    if (isPlainObject(defaults[group]) && isPlainObject(options[group])) (merged as unknown as Record<string, object>)[group] = { ...defaults[group], ...options[group] };
  }
  return merged;
}

/**
 * Checks an app's options (or a manager's defaults: no command, and what needs another field is
 * checked once merged with a session's); throws a TypeError naming the first bad one by its path.
 */
export function checkSessionOptions(o: unknown, { defaults = false } = {}): asserts o is SessionOptions {
  const what = defaults ? 'session manager defaults' : 'session options';
  if (!isPlainObject(o)) throw new TypeError(`${what} must be an object, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`);
  for (const key of Object.keys(o)) {
    if ((TOP_LEVEL as readonly string[]).includes(key) || key === 'runner' || key in GROUPS) continue;
    const moved = Object.hasOwn(MOVED, key) ? `; ${MOVED[key]}` : '';
    throw new TypeError(`unknown session option "${key}"${moved} (known: ${[...TOP_LEVEL, 'runner', ...Object.keys(GROUPS)].join(', ')})`);
  }
  if (defaults) {
    if ('command' in o) throw new TypeError('session manager defaults must not hold "command": give it to start()');
  } else {
    checkCommand(o.command);
  }
  for (const key of TOP_LEVEL) if (key !== 'command') (OPTION_CHECKS[key] as OptionCheck)(o[key], key);
  for (const group of Object.keys(GROUPS) as Group[]) {
    const value = o[group];
    if (value === undefined) continue;
    if (!isPlainObject(value)) throw new TypeError(`session option "${group}" must be an object { ${Object.keys(GROUPS[group]).join(', ')} }, got ${describeValue(value)}`);
    for (const [key, v] of Object.entries(value)) {
      const flat = Object.hasOwn(GROUPS[group], key) ? GROUPS[group][key] : undefined;
      if (!flat) throw new TypeError(`unknown session option "${group}.${key}" (known: ${Object.keys(GROUPS[group]).join(', ')})`);
      (OPTION_CHECKS[flat] as OptionCheck)(v, `${group}.${key}`);
    }
  }
  checkRunnerChoice(o.runner);
  const runner = o.runner as RunnerChoice | undefined;
  if (!defaults && o.sandbox === 'codex' && !runner?.codexHome) {
    throw new TypeError('session option "sandbox": \'codex\' needs "runner.codexHome" (where codex keeps its sandbox users)');
  }
}

function checkRunnerChoice(r: unknown): void {
  if (r === undefined) return;
  const kinds = Object.keys(RUNNER_KEYS) as RunnerChoice['kind'][];
  const want = "{ kind: 'bundled' | 'codex' | 'custom', ... }";
  if (!isPlainObject(r)) {
    const hint = r === 'codex' ? ": for codex's runner, { kind: 'codex', codexHome }" : '';
    throw new TypeError(`session option "runner" must be ${want}, got ${describeValue(r)}${hint}`);
  }
  const kind = r.kind as RunnerChoice['kind'];
  if (!kinds.includes(kind)) {
    const hint = 'exe' in r ? ": a runner spec goes in { kind: 'custom', spec }" : '';
    throw new TypeError(`session option "runner.kind" must be one of ${kinds.map((k) => `'${k}'`).join(', ')}, got ${describeValue(r.kind)}${hint}`);
  }
  for (const key of Object.keys(r)) {
    if (!RUNNER_KEYS[kind].includes(key)) throw new TypeError(`session option "runner.${key}" is not an option of runner kind '${kind}' (known: ${RUNNER_KEYS[kind].join(', ')})`);
  }
  for (const key of RUNNER_KEYS[kind]) {
    if (key !== 'kind' && key !== 'spec') (OPTION_CHECKS[key as keyof typeof OPTION_CHECKS] as OptionCheck)(r[key], `runner.${key}`);
  }
  if (kind === 'codex' && r.spec !== undefined) {
    checkRunnerSpec(r.spec, 'runner.spec');
    if (r.codexVersion !== undefined) throw new TypeError('session option "runner.codexVersion" chooses among the runners in .sandbox-bin, and "runner.spec" names one: give one');
  }
  if (kind === 'codex' && !r.codexHome) throw new TypeError('session option "runner.codexHome" is needed with kind \'codex\' (where codex keeps its runner), got ' + describeValue(r.codexHome));
  if (kind === 'custom') {
    checkRunnerSpec(r.spec, 'runner.spec');
    if ((r.spec as RunnerSpec).kind === 'codex') throw new TypeError('session option "runner.spec": a spec of kind \'codex\' is codex\'s runner: give it as { kind: \'codex\', codexHome, spec }');
  }
}

/**
 * The one edge where an app's options enter: the manager's defaults merged with the session's
 * own, checked, and turned into the flat SessionConfig the session's parts read.
 */
export function resolveSessionOptions(options: SessionOptions, defaults?: SessionDefaults): SessionConfig {
  if (!isPlainObject(options)) checkSessionOptions(options);
  const o = mergeSessionOptions(defaults, options);
  checkSessionOptions(o);
  const config: SessionConfig = { command: o.command };
  const put = <K extends keyof SessionConfig>(key: K, value: SessionConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  for (const key of TOP_LEVEL) if (key !== 'command') put(key, o[key] as never);
  for (const group of Object.keys(GROUPS) as Group[]) {
    for (const [key, value] of Object.entries(o[group] ?? {})) put(GROUPS[group][key]!, value as never);
  }
  const r = o.runner;
  if (r) {
    put('codexHome', r.codexHome);
    if (r.kind === 'codex') {
      config.runner = r.spec !== undefined ? { ...r.spec, kind: 'codex' } : 'codex';
      for (const key of ['codexInstall', 'codexVersion', 'setupHelper', 'refreshSandbox', 'autoSetupSandbox'] as const) put(key, r[key] as never);
    } else {
      put('allowUnenforcedPolicy', r.allowUnenforcedPolicy);
      if (r.kind === 'custom') config.runner = r.spec;
    }
  }
  return config;
}
