// Where codex keeps its Windows sandbox state under CODEX_HOME (openai/codex
// codex-rs/windows-sandbox-rs/src/setup.rs @ 02b89ce131792eb4465ccd16316ba7824b8a7220:
// sandbox_dir, sandbox_bin_dir, sandbox_secrets_dir, setup_marker_path, sandbox_users_path).
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxBinDir } from '../../launch/materialize-runner';

export { sandboxBinDir };

/** `<codexHome>/.sandbox`: the setup marker, the runner's logs and cwd. */
export function sandboxDir(codexHome: string): string {
  return path.join(codexHome, '.sandbox');
}

/** `<codexHome>/.sandbox-secrets`: the sandbox users' DPAPI-protected passwords. */
export function sandboxSecretsDir(codexHome: string): string {
  return path.join(codexHome, '.sandbox-secrets');
}

export function setupMarkerPath(codexHome: string): string {
  return path.join(sandboxDir(codexHome), 'setup_marker.json');
}

export function sandboxUsersPath(codexHome: string): string {
  return path.join(sandboxSecretsDir(codexHome), 'sandbox_users.json');
}

/** Where setups of SETUP_VERSION 2 left the users file (setup.rs @ 513cf59913b76044c0c79c86d84038a9f3e35184). */
export function legacySandboxUsersPath(codexHome: string): string {
  return path.join(sandboxDir(codexHome), 'sandbox_users.json');
}

/** The codex home as an absolute path, checked to be a non-empty string. */
export function resolveCodexHome(codexHome: unknown): string {
  if (typeof codexHome !== 'string' || codexHome.trim() === '') throw new TypeError('codexHome must be a non-empty path');
  return path.resolve(codexHome);
}

/** codex's own default home: $CODEX_HOME, else ~/.codex. */
export function defaultCodexHome(): string {
  return process.env.CODEX_HOME || path.join(os.homedir(), '.codex');
}
