// Whether codex's elevated sandbox is set up in a codex home, decided as upstream's parent decides
// to run its setup before a command (openai/codex windows-sandbox-rs identity.rs
// require_sandbox_account_with_setup; setup.rs SetupMarker::request_mismatch_reason): the marker
// and the users file present, parseable and at SETUP_VERSION; for the offline identity, the
// marker's proxy settings equal the wanted ones; each sandbox account present, enabled, its
// password not expired (NetUserGetInfo level 1, as winutil.rs local_user_flags). Plus what a
// refresh and a setup need here: codex's setup helper. Every reason is listed, not just the first.
// States: `not_configured` when no setup ever ran (no marker, no users file), `update_required` for
// any other reason (upstream's app-server answers updateRequired for both), `ready` otherwise.
import { promises as fs } from 'node:fs';
import { CodexHomeError } from './codex-home-error';
import { resolveCodexHome, setupMarkerPath } from './codex-home-paths';
import { readSandboxUsers, readSetupMarker, type SandboxUsersFile, type SetupMarker } from './sandbox-setup-files';
import { OFFLINE_USERNAME, ONLINE_USERNAME, SETUP_VERSION } from './setup-version';
import { SETUP_HELPER_EXE } from '../install/bundled-executable';
import { resolveCodexInstall, type CodexInstall, type CodexInstallLookup, type CodexInstallResolution } from '../install/find-codex-install';
import { placesLooked } from '../install/places-looked';
import { findSetupHelper } from '../install/setup-helper';
import { localUserFlags, UF_ACCOUNTDISABLE, UF_PASSWORD_EXPIRED } from '../../../os/win32/net-user';

export type ReadinessState = 'ready' | 'not_configured' | 'update_required';

export type ReadinessCode =
  | 'marker_missing'
  | 'marker_unreadable'
  | 'marker_version'
  | 'users_missing'
  | 'users_unreadable'
  | 'users_version'
  /** The users file names other accounts than the marker (written by different setups). */
  | 'users_mismatch'
  | 'proxy_settings_changed'
  | 'account_missing'
  | 'account_disabled'
  | 'password_expired'
  | 'helper_missing'
  /** codex's install is one this module does not drive (registered runtime, Store app), or the codexInstall option names none. */
  | 'install_unsupported'
  /** The sandbox user's logon failed as upstream answers with a new setup (1326, 1312, 1331): set by the session's gate. */
  | 'logon_failed';

export interface ReadinessReason {
  code: ReadinessCode;
  message: string;
  /** helper_missing, install_unsupported: every place looked, in order (the message counts them). */
  looked?: string[];
}

export interface SandboxReadiness {
  state: ReadinessState;
  reasons: ReadinessReason[];
  /** What was checked and what could not be (accounts off Windows, a NetUserGetInfo failure). */
  notes?: string[];
  /** The setup helper a refresh or setup would run. */
  setupHelper?: string;
  /** codex's install, when one was found. */
  install?: CodexInstall;
}

export interface SandboxReadinessOptions {
  codexHome: string;
  /** codex.exe, the folder holding codex-resources, or the install root; default: found as findCodexInstall does. */
  codexInstall?: string;
  /** The command's network is restricted (the offline identity): the marker's proxy settings must match. Default true (workspace-write). */
  networkRestricted?: boolean;
  /** The loopback proxy ports the offline identity may reach. Default none. */
  proxyPorts?: number[];
  allowLocalBinding?: boolean;
  /** The setupHelper session option. */
  setupHelper?: string;
  /** codex's install as already resolved (a session resolves it once for all its steps); default: resolved here from codexInstall. */
  install?: CodexInstallResolution;
}

/** The facts the decision is made from; gathered by sandboxReadiness, or given by a test. */
export interface ReadinessFacts {
  marker: { ok: SetupMarker } | { missing: string } | { unreadable: string };
  users: { ok: SandboxUsersFile; file: string } | { missing: string } | { unreadable: string };
  markerFile: string;
  /** Each account's USER_INFO_1 flags (null: no such account), or why it could not be read; absent: not checked. */
  accounts?: Record<string, number | null | { error: string }>;
  /** `missing`: every place looked; `install`: the install it was looked for in (none: no install found); `explicit`: the setupHelper option. */
  helper: { found: string } | { missing: string[]; install?: Pick<CodexInstall, 'root' | 'foundBy'>; explicit?: string } | { unsupported: string; looked?: string[] };
  networkRestricted: boolean;
  proxyPorts: number[];
  allowLocalBinding: boolean;
}

export async function sandboxReadiness(options: SandboxReadinessOptions): Promise<SandboxReadiness> {
  const codexHome = resolveCodexHome(options?.codexHome);
  const notes: string[] = [];
  const markerFile = setupMarkerPath(codexHome);
  // codex 0.171.0's setup that failed (seen under Wine) leaves an empty marker: no setup finished.
  const emptyMarker = await fs.stat(markerFile).then((s) => s.isFile() && s.size === 0, () => false);
  const marker: ReadinessFacts['marker'] = emptyMarker
    ? { missing: `codex's sandbox setup marker ${markerFile} is empty (a setup that did not finish leaves it so)` }
    : await readOrWhy(() => readSetupMarker(codexHome).then((r) => r.marker));
  const usersRead = await readOrWhy(() => readSandboxUsers(codexHome));
  const users: ReadinessFacts['users'] = 'ok' in usersRead ? { ok: usersRead.ok.users, file: usersRead.ok.file } : usersRead;

  let accounts: ReadinessFacts['accounts'];
  const accountNames = 'ok' in users ? [users.ok.offline.username, users.ok.online.username] : [];
  if (accountNames.length && process.platform === 'win32') {
    accounts = {};
    for (const name of accountNames) accounts[name] = await localUserFlags(name).catch((err: Error) => ({ error: err.message }));
  } else if (accountNames.length) {
    notes.push('sandbox accounts not checked: local accounts exist only on Windows');
  }
  // codex itself checks its two fixed account names (0.171.0 under Wine: "sandbox account is missing,
  // disabled, or password expired" for a users file naming others, which it then deletes).
  const unusual = accountNames.filter((n, i) => n.toLowerCase() !== [OFFLINE_USERNAME, ONLINE_USERNAME][i]!.toLowerCase());
  if (unusual.length) notes.push(`the users file names ${unusual.join(' and ')}, not codex's own ${OFFLINE_USERNAME}/${ONLINE_USERNAME}: these accounts are the ones checked and logged on as here, but codex itself checks its fixed names and would set up again`);

  let helper: ReadinessFacts['helper'];
  let install: CodexInstall | undefined;
  const resolved = options.install ?? (await resolveCodexInstall(options.codexInstall !== undefined ? { codexInstall: options.codexInstall } : {}));
  if (resolved.lookup) {
    const lookup: CodexInstallLookup = resolved.lookup;
    install = lookup.install;
    notes.push(...lookup.notes);
    const found = await findSetupHelper({ codexHome, ...(install ? { install } : {}), ...(options.setupHelper !== undefined ? { explicit: options.setupHelper } : {}) });
    helper = found.found
      ? { found: found.found }
      : { missing: [...(install ? [] : lookup.looked), ...found.looked], ...(install ? { install } : {}), ...(options.setupHelper !== undefined ? { explicit: options.setupHelper } : {}) };
  } else {
    helper = { unsupported: resolved.error.message, ...(resolved.error.looked ? { looked: resolved.error.looked } : {}) };
  }
  const result = decideReadiness({
    marker,
    users,
    markerFile,
    ...(accounts ? { accounts } : {}),
    helper,
    networkRestricted: options.networkRestricted ?? true,
    proxyPorts: options.proxyPorts ?? [],
    allowLocalBinding: options.allowLocalBinding ?? false,
  });
  if (accounts) {
    for (const [name, flags] of Object.entries(accounts)) {
      // As upstream: an account that cannot be read is not taken as broken.
      if (flags !== null && typeof flags === 'object') notes.push(`sandbox account ${name} could not be read (${flags.error}); not counted against readiness, as codex does not`);
    }
  }
  return { ...result, ...(notes.length ? { notes } : {}), ...('found' in helper ? { setupHelper: helper.found } : {}), ...(install ? { install } : {}) };
}

/** What is missing and what to do, without the places (they are the reason's `looked`). */
function helperMissing(h: { missing: string[]; install?: Pick<CodexInstall, 'root' | 'foundBy'>; explicit?: string }): string {
  const helper = `codex's sandbox setup helper ${SETUP_HELPER_EXE}`;
  if (h.explicit !== undefined) return `${helper}: the setupHelper option names ${h.explicit}, which is not a file; name the helper itself (--setup-helper), or leave the option out to take codex's own`;
  const where = h.install ? `codex's install at ${h.install.root} (${h.install.foundBy}), .sandbox-bin or PATH` : `codex's install (none was found: codexInstall option, codex on PATH, the standalone installer's and desktop app's folders), .sandbox-bin or PATH`;
  const fix = h.install ? 'reinstall codex (npm install -g @openai/codex), or name the helper with setupHelper (--setup-helper)' : 'install codex (npm install -g @openai/codex), name it with codexInstall (--codex-install), or name the helper with setupHelper (--setup-helper)';
  return `${helper} was not found in ${where} (${placesLooked(h.missing.length)}); it ships in codex's install under codex-resources: ${fix}`;
}

async function readOrWhy<T>(read: () => Promise<T>): Promise<{ ok: T } | { missing: string } | { unreadable: string }> {
  try {
    return { ok: await read() };
  } catch (err) {
    if (!(err instanceof CodexHomeError)) throw err;
    return err.problem === 'setup-missing' ? { missing: err.message } : { unreadable: err.message };
  }
}

/** The decision itself, from gathered facts: plain logic, the same on every platform. */
export function decideReadiness(f: ReadinessFacts): Pick<SandboxReadiness, 'state' | 'reasons'> {
  const reasons: ReadinessReason[] = [];
  const add = (code: ReadinessCode, message: string, looked?: string[]) => reasons.push({ code, message, ...(looked ? { looked } : {}) });
  const setupAgain = 'codex sets it up again (elevated): run codex-runner-ipc sandbox setup, or a codex command in the Windows sandbox';
  let markerOk: SetupMarker | undefined;
  if ('missing' in f.marker) add('marker_missing', `${/ is empty /.test(f.marker.missing) ? f.marker.missing : `codex's sandbox setup marker ${f.markerFile} is missing`}: the sandbox was never set up in this codex home; ${setupAgain}`);
  else if ('unreadable' in f.marker) add('marker_unreadable', f.marker.unreadable);
  else if (f.marker.ok.version !== SETUP_VERSION) add('marker_version', `codex's sandbox setup marker ${f.markerFile} is of setup version ${f.marker.ok.version}, not ${SETUP_VERSION}; ${setupAgain}`);
  else markerOk = f.marker.ok;

  let usersOk: SandboxUsersFile | undefined;
  if ('missing' in f.users) add('users_missing', f.users.missing);
  else if ('unreadable' in f.users) add('users_unreadable', f.users.unreadable);
  else if (f.users.ok.version !== SETUP_VERSION) add('users_version', `codex's sandbox users file ${f.users.file} is of setup version ${f.users.ok.version}, not ${SETUP_VERSION}; ${setupAgain}`);
  else usersOk = f.users.ok;

  if (markerOk && usersOk) {
    const named = [markerOk.offlineUsername, markerOk.onlineUsername];
    const listed = [usersOk.offline.username, usersOk.online.username];
    if (named.some((n, i) => n.toLowerCase() !== listed[i]!.toLowerCase())) {
      add('users_mismatch', `codex's sandbox setup marker ${f.markerFile} names ${named.join(' and ')} but its users file lists ${listed.join(' and ')}: they were written by different setups; ${setupAgain}`);
    }
  }
  if (markerOk && f.networkRestricted) {
    const stored = [...new Set(markerOk.proxyPorts)].sort((a, b) => a - b);
    const wanted = [...new Set(f.proxyPorts)].sort((a, b) => a - b);
    if (stored.join(',') !== wanted.join(',') || markerOk.allowLocalBinding !== f.allowLocalBinding) {
      add('proxy_settings_changed', `the offline sandbox user's firewall settings changed (set up: proxy ports [${stored.join(', ')}], local binding ${markerOk.allowLocalBinding ? 'allowed' : 'blocked'}; wanted: [${wanted.join(', ')}], ${f.allowLocalBinding ? 'allowed' : 'blocked'}); ${setupAgain}`);
    }
  }
  // As upstream: the accounts are checked once the files are good (cleanup may have removed them).
  if (markerOk && usersOk && f.accounts) {
    for (const [name, flags] of Object.entries(f.accounts)) {
      if (flags === null) add('account_missing', `codex's sandbox account ${name} does not exist on this machine (removed since setup?); ${setupAgain}`);
      else if (typeof flags === 'number' && flags & UF_ACCOUNTDISABLE) add('account_disabled', `codex's sandbox account ${name} is disabled; ${setupAgain}`);
      else if (typeof flags === 'number' && flags & UF_PASSWORD_EXPIRED) add('password_expired', `the password of codex's sandbox account ${name} has expired; ${setupAgain}`);
    }
  }
  if ('missing' in f.helper) add('helper_missing', helperMissing(f.helper), f.helper.missing);
  else if ('unsupported' in f.helper) add('install_unsupported', f.helper.unsupported, f.helper.looked);

  const fresh = 'missing' in f.marker && 'missing' in f.users;
  const state: ReadinessState = reasons.length === 0 ? 'ready' : fresh ? 'not_configured' : 'update_required';
  return { state, reasons };
}
