// What an app that embeds this package adds to its electron-builder config. Runs in the app's
// build (electron-builder's process), never in Electron: plain Node.
import * as path from 'node:path';

/** This file compiles to <package>/dist/electron/builder/. */
const packageDir = path.resolve(__dirname, '..', '..', '..');

export interface BuilderConfigOptions {
  /** The app's project folder, which electron-builder resolves `from` against. Default: process.cwd(). */
  projectDir?: string;
}

/** The fuses this package's own app ships with (docs/electron.md says why each). */
export const RECOMMENDED_FUSES = {
  // Must stay on: the runner and the launcher run as ELECTRON_RUN_AS_NODE=1 <app binary> <script>.
  runAsNode: true,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** Each fuse electron-builder's `electronFuses` takes, as set by the fragment (an app may change any but runAsNode). */
export type RunnerPipesFuses = { -readonly [K in keyof typeof RECOMMENDED_FUSES]: boolean };

export interface RunnerPipesBuilderConfig {
  extraResources: { from: string; to: string }[];
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: RunnerPipesFuses;
}

/**
 * The config fragment: the runner and launcher copied to resources/runner/ (where
 * `configureAppRunner` looks when packaged), koffi's JS and native packages unpacked from the asar
 * (native code cannot load from it, and a runner copied into .sandbox-bin carries them), no native
 * rebuild (koffi ships prebuilt), and the fuses. Spread it into the app's own config.
 */
export function runnerPipesBuilderConfig(options: BuilderConfigOptions = {}): RunnerPipesBuilderConfig {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const from = (file: string) => path.relative(projectDir, path.join(packageDir, 'dist', 'runner', file)).split(path.sep).join('/');
  return {
    extraResources: ['codex-command-runner.js', 'codex-runner-launcher.js'].map((file) => ({ from: from(file), to: `runner/${file}` })),
    asarUnpack: ['node_modules/koffi/**', 'node_modules/@koromix/**'],
    npmRebuild: false,
    electronFuses: { ...RECOMMENDED_FUSES },
  };
}
