import * as path from 'node:path';
import type { RunnerSpec } from '../launch/runner-spec';
import { checkPermissionProfile, BUILTIN_PERMISSIONS, type BuiltinPermissions, type PermissionProfile } from '../../protocol/permissions';
import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../../protocol/versions';

/** A password, or a function that fetches it for each launch (so nothing long-lived holds it). */
export type PasswordSource = string | (() => Promise<string>);

export interface SandboxAccount {
  /** The account the runner runs as; the pipes admit only it. Defaults to the current user. */
  username?: string;
  /** Windows: launch the runner as `username` through CreateProcessWithLogonW. */
  credentials?: { password: PasswordSource; domain?: string };
}

/**
 * The flat, validated options the session's internals read. Apps give the grouped `SessionOptions`
 * (public-options.ts), which `resolveSessionOptions` checks and turns into this at the manager.
 */
export interface SessionConfig {
  /** argv of the command; `command[0]` is resolved by the runner. */
  command: string[];
  cwd?: string;
  /**
   * The command's whole environment. Defaults to this process's environment minus what must not
   * cross to a sandbox account (see `defaultCommandEnv`). Names whose value is `undefined` are left
   * out, so `process.env` (NodeJS.ProcessEnv) fits as it is.
   */
  env?: Record<string, string | undefined>;
  /**
   * Kill the command after this long (it then exits with 192, `timedOut: true`); 1..2^31-1. Also
   * bounds the preparation. null or left out: no timeout (0 is refused: codex's runner would kill at once).
   */
  timeoutMs?: number | null;
  /** Keep the command's stdin open for `write`/`closeStdin`; otherwise it reads EOF. */
  stdinOpen?: boolean;
  tty?: boolean;
  /**
   * Who the runner runs as. `'codex'`: codex's sandbox user from `codexHome` (the offline user when
   * the permissions restrict the network), its DPAPI-protected password read for each launch.
   * `'current'`: codex's runner (or any) launched as this process's own user, no logon, the pipes
   * admitting that user: for machines without codex's sandbox users, and for Wine.
   * Default: `'codex'` with `runner: 'codex'`, else the current user.
   */
  sandbox?: SandboxAccount | 'codex' | 'current';
  /**
   * With codex's runner: run codex's setup helper in refresh mode before the command (default
   * true, but false with `sandbox: 'current'`), as codex does; false when codex has prepared the folders already.
   */
  refreshSandbox?: boolean;
  /**
   * With codex's sandbox users (`sandbox: 'codex'`, the default with `runner: 'codex'`): when
   * their setup is not ready, or their logon fails as upstream answers with a new setup (1326,
   * 1312, 1331), run codex's setup (setupSandbox, which asks for elevation when this process is
   * not elevated) and go on, once. Default false: the session fails with SandboxNotReadyError.
   */
  autoSetupSandbox?: boolean;
  /**
   * codex's codex-windows-sandbox-setup.exe (absolute); default: from codex's install (see
   * codexInstall), beside the runner, `<codexHome>/.sandbox-bin`, then PATH.
   */
  setupHelper?: string;
  /**
   * codex's install (absolute): codex.exe, the folder holding `codex-resources`, or the install
   * root. Default: found as a user has it (`codex` on PATH, npm's shims followed to the platform
   * package, the standalone installer's and the desktop app's folders). With `runner: 'codex'` the
   * runner is copied from it into `.sandbox-bin` as codex does, and the setup helper taken from it.
   */
  codexInstall?: string;
  /** The codex home: runner materialization into `.sandbox-bin`, the runner's cwd, codex's runner and users. */
  codexHome?: string;
  logDir?: string;
  /**
   * The runner to start: a spec, or `'codex'` for codex's own `codex-command-runner` found in
   * `<codexHome>/.sandbox-bin`. Defaults to this package's runner under this process's binary.
   */
  runner?: RunnerSpec | 'codex';
  /** With `runner: 'codex'`: prefer `codex-command-runner-<codexVersion>.exe`. */
  codexVersion?: string;
  /** The runner protocol version to speak; `'auto'` (default) finds the runner's, newest first. */
  protocolVersion?: ProtocolVersion | 'auto';
  /** What the sandbox may do. Default `'workspace-write'`. */
  permissions?: PermissionProfile | BuiltinPermissions;
  /** The workspace roots the profile's project roots mean (absolute). Default `[cwd]`. */
  workspaceRoots?: string[];
  /**
   * This project's runner cannot enforce a permission profile; on Windows it refuses one that asks
   * for a sandbox unless this is set. (codex's runner enforces and ignores this.)
   */
  allowUnenforcedPolicy?: boolean;
  /** Per pipe: how long the runner may take to connect. Upstream: 15 s. */
  connectTimeoutMs?: number;
  /** How long the runner may take to answer the spawn request. Upstream: 15 s. */
  spawnReadyTimeoutMs?: number;
  /** After `terminate()`, how long the runner gets to report the exit before it is killed. */
  terminateGraceMs?: number;
  /**
   * How long the session may wait in `queued` for a launch slot (see SessionManager's
   * `launchConcurrency`). Default: `timeoutMs`, else as long as it takes (dispose still ends it).
   */
  queueTimeoutMs?: number;
  /** Version 1 only: `policy_json_or_preset` as given (a preset or a SandboxPolicy JSON), instead of the one `permissions` maps to. */
  policy?: string;
  /**
   * The capability SIDs sent. With codex's runner they default to codex's own, from
   * `<codexHome>/cap_sid` (sandbox-prep/); given, they override those. `[]` is refused there.
   */
  capSids?: string[];
  usePrivateDesktop?: boolean;
  /** Version 6: the parent-owned private desktop the runner should use. */
  privateDesktopName?: string;
  /** Version 5+: the managed network proxy's restricting SID. */
  networkProxyRestrictingSid?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_SPAWN_READY_TIMEOUT_MS = 15_000;
export const DEFAULT_TERMINATE_GRACE_MS = 3_000;

/** The longest delay a Node timer holds (2^31-1 ms, ~24.8 days). */
export const MAX_TIMER_MS = 0x7fff_ffff;

/** Checks one option's value, throwing a TypeError that names it by `name` (its path in the options given). */
export type OptionCheck = (value: unknown, name: string) => void;

const bad = (name: string, want: string, got: unknown) => new TypeError(`session option "${name}" must be ${want}, got ${describeValue(got)}`);
const aString: OptionCheck = (v, name) => {
  if (v !== undefined && typeof v !== 'string') throw bad(name, 'a string', v);
};
const aBoolean: OptionCheck = (v, name) => {
  if (v !== undefined && typeof v !== 'boolean') throw bad(name, 'a boolean', v);
};
const anAbsolutePath: OptionCheck = (v, name) => {
  if (v !== undefined && (typeof v !== 'string' || !isAbsoluteAnywhere(v))) throw bad(name, 'an absolute path', v);
};
/** A timer's delay: Node's timers hold at most 2^31-1 ms; a longer one fires at once (TimeoutOverflowWarning). */
const aTimerMs: OptionCheck = (v, name) => {
  if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_TIMER_MS)) throw bad(name, `an integer 1..${MAX_TIMER_MS}`, v);
};

/**
 * What each option may hold, by its flat name. The grouped public options (public-options.ts) use
 * the same checks under their own paths, so both refuse the same values.
 */
export const OPTION_CHECKS = {
  cwd: aString,
  codexHome: aString,
  logDir: aString,
  policy: aString,
  codexVersion: aString,
  privateDesktopName: aString,
  networkProxyRestrictingSid: aString,
  stdinOpen: aBoolean,
  tty: aBoolean,
  usePrivateDesktop: aBoolean,
  allowUnenforcedPolicy: aBoolean,
  refreshSandbox: aBoolean,
  autoSetupSandbox: aBoolean,
  connectTimeoutMs: aTimerMs,
  spawnReadyTimeoutMs: aTimerMs,
  terminateGraceMs: aTimerMs,
  queueTimeoutMs: aTimerMs,
  setupHelper: anAbsolutePath,
  codexInstall: anAbsolutePath,
  env: (v, name) => {
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(name, 'an object of strings', v);
    for (const [key, value] of Object.entries(v)) {
      if (value !== undefined && typeof value !== 'string') throw new TypeError(`session option "${name}" must map names to strings; "${key}" is ${describeValue(value)}`);
    }
  },
  // 0 is refused: codex's runner times a command out at once with 0, where "no timeout" here is
  // null or no timeoutMs; one meaning for every runner.
  timeoutMs: (v, name) => {
    if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_TIMER_MS)) {
      throw bad(name, `an integer 1..${MAX_TIMER_MS}, or null (or left out) for no timeout`, v);
    }
  },
  capSids: (v, name) => {
    if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) throw bad(name, 'an array of strings', v);
  },
  sandbox: (v, name) => {
    if (v === undefined || v === 'codex' || v === 'current') return;
    if (typeof v !== 'object' || v === null) throw bad(name, "'codex', 'current' or an object { username?, credentials? }", v);
    const account = v as SandboxAccount;
    if (account.username !== undefined && typeof account.username !== 'string') throw bad(`${name}.username`, 'a string', account.username);
    const c = account.credentials;
    if (c !== undefined) {
      if (typeof c !== 'object' || c === null || !(typeof c.password === 'string' || typeof c.password === 'function')) {
        throw new TypeError(`session option "${name}.credentials" must be { password: string | () => Promise<string>, domain? }`);
      }
      if (!account.username) throw new TypeError(`session option "${name}.credentials" needs "${name}.username"`);
    }
  },
  protocolVersion: (v, name) => {
    if (v !== undefined && v !== 'auto' && !isProtocolVersion(v)) throw bad(name, `one of ${PROTOCOL_VERSIONS.join(', ')} or "auto"`, v);
  },
  permissions: (v, name) => {
    if (v === undefined) return;
    if (typeof v === 'string') {
      if (!(BUILTIN_PERMISSIONS as readonly string[]).includes(v)) throw bad(name, `one of ${BUILTIN_PERMISSIONS.map((n) => `"${n}"`).join(', ')} or a PermissionProfile object`, v);
    } else {
      checkPermissionProfile(v, `session option "${name}"`);
    }
  },
  workspaceRoots: (v, name) => {
    if (v === undefined) return;
    if (!Array.isArray(v) || !v.every((r) => typeof r === 'string')) throw bad(name, 'an array of absolute paths', v);
    const relative = v.find((r) => !isAbsoluteAnywhere(r));
    if (relative !== undefined) throw new TypeError(`session option "${name}": ${JSON.stringify(relative)} is not an absolute path`);
  },
} satisfies { [K in Exclude<keyof SessionConfig, 'command' | 'runner'>]-?: OptionCheck };

/** A runner spec: `{ exe, args? }` with a non-empty exe; `want` says what else the option may be. */
export function checkRunnerSpec(v: unknown, name: string, want = 'an object { exe, args? } with a non-empty exe'): void {
  const spec = v as RunnerSpec;
  if (typeof v !== 'object' || v === null || typeof spec.exe !== 'string' || spec.exe === '') throw bad(name, want, v);
  if (spec.args !== undefined && !(Array.isArray(spec.args) && spec.args.every((a) => typeof a === 'string'))) throw bad(`${name}.args`, 'an array of strings', spec.args);
}

export function checkCommand(v: unknown): void {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string')) throw new TypeError('command must be a non-empty array of strings');
}

/**
 * Refuses bad options before anything is created, with an error naming the option. (The runner
 * would refuse them too, but only after pipes and a process exist.)
 */
export function validateSessionConfig(o: SessionConfig): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('session options must be an object');
  checkCommand(o.command);
  for (const [name, check] of Object.entries(OPTION_CHECKS)) (check as OptionCheck)(o[name as keyof typeof OPTION_CHECKS], name);
  if (o.runner !== undefined && o.runner !== 'codex') checkRunnerSpec(o.runner, 'runner', "'codex' or an object { exe, args? } with a non-empty exe");
  if (typeof o.runner === 'object' && o.runner.kind === 'codex' && !o.codexHome) throw new TypeError('session option "runner": a spec of kind \'codex\' needs "codexHome" (codex\'s runner is prepared from it)');
  if (o.runner === 'codex' && !o.codexHome) throw new TypeError('session option "runner": \'codex\' needs "codexHome" (where codex keeps its runner)');
  if (o.sandbox === 'codex' && !o.codexHome) throw new TypeError('session option "sandbox": \'codex\' needs "codexHome" (where codex keeps its sandbox users)');
}

/**
 * A relative `cwd` means what it means to child_process.spawn: relative to this process's working
 * directory, resolved when the session is made, before anything starts. Left relative, it became
 * the default workspace root, which runners of version 3+ refuse, and the search settled on 2.
 */
export function withAbsoluteCwd(options: SessionConfig): SessionConfig {
  const { cwd } = options;
  return cwd !== undefined && !isAbsoluteAnywhere(cwd) ? { ...options, cwd: path.resolve(cwd) } : options;
}

/** Absolute on either OS: the runner may be a Windows runner whatever this process runs on. */
export function isAbsoluteAnywhere(p: string): boolean {
  return path.posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** A value as an error message shows it: its type, and a short string or number itself. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
