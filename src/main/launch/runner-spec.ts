import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** What to start as the runner: `exe ...args --pipe-in=<in> --pipe-out=<out>`. */
export interface RunnerSpec {
  exe: string;
  args?: string[];
  /** Extra environment for the runner itself (not for the command it runs). */
  env?: Record<string, string>;
  /**
   * The file to copy into `<codexHome>/.sandbox-bin` before launch (the runner exe, or the
   * runner script); every occurrence of it in `exe`/`args` is replaced by the copy.
   */
  materialize?: string;
  /** The copy's file name in `.sandbox-bin` (default: the source's); codex names its runner copy `codex-command-runner-<release>.exe`. */
  materializeAs?: string;
  /** Package folders the runner loads, copied beside it when it is materialized (see materialize-runner.ts). */
  carry?: string[];
  /**
   * bundled: this package's runner (it takes --allow-unenforced-policy); codex: codex's
   * codex-command-runner (it enforces the permission profile); custom (default): anything else.
   */
  kind?: 'bundled' | 'codex' | 'custom';
}

/**
 * The spec with `materialize`'s file replaced by `copy`. The copy finds the packages it carries
 * beside itself, so it needs no NODE_PATH into the app's own folders (which the sandbox user may
 * not read).
 */
export function withMaterializedFile(spec: RunnerSpec, copy: string): RunnerSpec {
  const swap = (p: string) => (p === spec.materialize ? copy : p);
  const env = spec.env && spec.carry?.length ? Object.fromEntries(Object.entries(spec.env).filter(([k]) => k !== 'NODE_PATH')) : spec.env;
  return { ...spec, exe: swap(spec.exe), args: spec.args?.map(swap), env };
}

/** The project's own runner, bundled into one file so it can be copied on its own. */
export function bundledRunnerScript(): string {
  return path.resolve(__dirname, '..', '..', '..', 'runner', 'codex-command-runner.js');
}

/**
 * The project's runner run by this process's own binary: node, or Electron's binary in Node mode
 * (ELECTRON_RUN_AS_NODE), so an app ships no second runtime.
 */
export function defaultRunnerSpec(script = bundledRunnerScript()): RunnerSpec {
  return nodeScriptSpec(script, 'bundled');
}

/** The runner launcher: one bundled file beside the runner (src/launcher/main.ts). */
export function bundledLauncherScript(): string {
  return path.resolve(__dirname, '..', '..', '..', 'runner', 'codex-runner-launcher.js');
}

/**
 * What a bundled script of ours needs to run in place under this process's binary: Node mode in
 * Electron (ELECTRON_RUN_AS_NODE), and NODE_PATH to the app's koffi (native, outside the bundle).
 */
export function nodeRuntimeEnv(koffi = koffiPackages()): Record<string, string> {
  const env: Record<string, string> = {};
  if (typeof process.versions.electron === 'string') env.ELECTRON_RUN_AS_NODE = '1';
  if (koffi) env.NODE_PATH = [path.dirname(koffi.root), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  return env;
}

/** `script` run by this process's binary (Electron's in Node mode), finding koffi beside the app. */
function nodeScriptSpec(script: string, kind: RunnerSpec['kind']): RunnerSpec {
  // The runner is one bundled file; koffi (native, for tty sessions and Win32) stays outside it.
  // Run in place, it finds the app's koffi through NODE_PATH; materialized, it carries a copy.
  const koffi = koffiPackages();
  const env = nodeRuntimeEnv(koffi);
  return { exe: process.execPath, args: [script], materialize: script, env, kind, ...(koffi ? { carry: [koffi.root, koffi.native] } : {}) };
}

/**
 * koffi's package folder and its native package for this platform (`@koromix/koffi-<os>-<cpu>`,
 * where koffi itself looks: `<node_modules>/@koromix/...`). In a packaged app these live in
 * app.asar.unpacked (asarUnpack), which is what a copy must be taken from.
 */
export function koffiPackages(): { root: string; native: string } | undefined {
  let root: string;
  try {
    // koffi's "exports" has no ./package.json: resolve its entry and go up to the package folder.
    root = path.dirname(require.resolve('koffi'));
  } catch {
    return undefined;
  }
  root = root.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  const native = path.join(path.dirname(root), '@koromix', `koffi-${process.platform}-${process.arch}`);
  return existsSync(native) ? { root, native } : undefined;
}

/** A runner given by path: `.js`/`.cjs`/`.mjs` files are started with this process's binary. */
export function runnerSpecForPath(file: string): RunnerSpec {
  return /\.(c|m)?js$/i.test(file) ? nodeScriptSpec(path.resolve(file), 'custom') : { exe: path.resolve(file), materialize: path.resolve(file), kind: 'custom' };
}

export function runnerArgs(spec: RunnerSpec, names: { in: string; out: string }): string[] {
  return [...(spec.args ?? []), `--pipe-in=${names.in}`, `--pipe-out=${names.out}`];
}
