// The sandbox user to launch codex's runner as, and its password, from what codex's own setup
// left in the codex home. Upstream's logic (openai/codex codex-rs/windows-sandbox-rs/src/identity.rs
// @ 0cbe0bc3097b99de0f69ba8b2feff7e53dc482ef: select_identity, decode_password): the marker and
// the users file must both be readable and of the same setup version; the offline user when the
// network is restricted, else the online one; password = UTF-8 of DPAPI-decrypt(base64-decode).
// Upstream re-runs its elevated setup when the files are missing or stale; we cannot, so every
// such case is an error naming the file, the problem and what to do. Nothing is cached: after a
// logon failure (1326/1312) the caller simply loads again, once.
import { CodexHomeError } from './codex-home-error';
import { resolveCodexHome } from './codex-home-paths';
import { passwordBlob, readSandboxUsers, readSetupMarker, SETUP_HINT } from './sandbox-setup-files';
import { SecretText, SecretTextError } from './secret-text';
import { DpapiUnavailableError, unprotectData } from '../../../os/win32/dpapi';

export type SandboxIdentity = 'offline' | 'online';

export interface SandboxLogonOptions {
  /**
   * True when the command's network is restricted, or a proxy is enforced: then the offline user
   * runs it, whose firewall rules block the network (upstream: `SandboxNetworkIdentity::from_policy`).
   */
  networkRestricted: boolean;
}

export interface SandboxLogon {
  username: string;
  identity: SandboxIdentity;
  /** NUL-terminated UTF-16LE, for CreateProcessWithLogonW. Wipe it once the runner is launched. */
  password: SecretText;
  /** The file the password came from (`.sandbox-secrets/sandbox_users.json`, or `.sandbox/` for older setups). */
  usersFile: string;
  markerFile: string;
  /** Codex's SETUP_VERSION that wrote both files (2 in old installs, 5 around codex 0.158). */
  setupVersion: number;
}

export async function loadSandboxLogon(codexHome: string, options: SandboxLogonOptions): Promise<SandboxLogon> {
  const home = resolveCodexHome(codexHome);
  if (typeof options?.networkRestricted !== 'boolean') throw new TypeError('networkRestricted must be true or false');
  const { file: markerFile, marker } = await readSetupMarker(home);
  const { file: usersFile, users } = await readSandboxUsers(home);

  const mismatch = (what: string) =>
    new CodexHomeError('setup-mismatch', `codex's sandbox setup files disagree: ${what}; they were written by different setups: ${SETUP_HINT}`, { file: usersFile });
  if (marker.version !== users.version) {
    throw mismatch(`${markerFile} is of setup version ${marker.version} but ${usersFile} of version ${users.version}`);
  }
  for (const identity of ['offline', 'online'] as const) {
    const named = identity === 'offline' ? marker.offlineUsername : marker.onlineUsername;
    if (named !== users[identity].username) {
      throw mismatch(`${markerFile} names the ${identity} user ${JSON.stringify(named)} but ${usersFile} has ${JSON.stringify(users[identity].username)}`);
    }
  }

  const identity: SandboxIdentity = options.networkRestricted ? 'offline' : 'online';
  const { username } = users[identity];
  const blob = passwordBlob(users[identity], identity, usersFile);
  const password = await decryptPassword(blob, username, usersFile);
  return { username, identity, password, usersFile, markerFile, setupVersion: users.version };
}

async function decryptPassword(blob: Buffer, username: string, usersFile: string): Promise<SecretText> {
  const cannot = `cannot decrypt the password of ${username} in ${usersFile}`;
  // Upstream's own recovery for stale credentials is to delete the users file and set up again
  // (openai/codex PR #27944: identity.rs remove_sandbox_users_file, in later copies than the
  // commit cited above): the same advice, for a person.
  const startOver = `delete ${usersFile}, then ${SETUP_HINT} again`;
  let plain: Buffer;
  try {
    plain = await unprotectData(blob);
  } catch (err) {
    if (err instanceof DpapiUnavailableError) {
      throw new CodexHomeError('dpapi-unavailable', `${cannot}: ${err.message}`, { file: usersFile }, { cause: err });
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new CodexHomeError(
      'password-undecryptable',
      `${cannot} (${why}); it was protected for another Windows user or machine, or it is damaged: ${startOver}`,
      { file: usersFile },
      { cause: err },
    );
  }
  try {
    return SecretText.fromUtf8(plain);
  } catch (err) {
    if (!(err instanceof SecretTextError)) throw err;
    throw new CodexHomeError('password-undecryptable', `the password of ${username} in ${usersFile} decrypts to text that ${err.message}: ${startOver}`, { file: usersFile });
  } finally {
    plain.fill(0);
  }
}
