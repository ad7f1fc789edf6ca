// What upstream's parent does before each command it gives codex's runner, in its order: the
// profile checked, the environment prepared, the capability SIDs, the setup helper's refresh,
// the private desktop. Called from the launch plan (session/launch-plan.ts) once the runner file
// and its account are known, and before any pipe or process exists.
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedPermissions } from '../../../protocol/permissions';
import type { SpawnInput } from '../../../protocol/versions';
import { capabilitySids, effectiveWriteRoots, type CapabilitySidRequest } from './capability-sids';
import { capSidFile } from './cap-sid-file';
import { codexRunnerRefusal } from './codex-runner-profile';
import type { PrivateDesktops } from './private-desktops';
import { currentSetupUser } from '../../../os/win32/current-user';
import { helperLaunch } from './helper-launch';
import { encodePayload, payloadForHelper, refreshPayload } from './refresh-payload';
import { prepareRunnerEnv } from './runner-env';
import { SandboxRefreshError, type SandboxRefreshes } from './sandbox-refresh';
import { SETUP_HELPER_EXE } from '../install/bundled-executable';
import { installProblemSummary, type CodexInstallError } from '../install/codex-install-error';
import { placesLooked } from '../install/places-looked';
import type { CodexInstall } from '../install/find-codex-install';
import { findSetupHelper } from '../install/setup-helper';
import { parseRunnerVersion, runnerSuffixOf } from '../home/runner-version';
import { setupHelperShape } from './setup-helper-shape';

/** What the status shows of the preparation (SessionStatus.sandboxPrep). */
export interface SandboxPrepStatus {
  /** The capability SIDs sent in `cap_sids`. */
  capSids: string[];
  /** Where they came from: the `capSids` option, or the codex home's cap_sid file (its path). */
  capSidsFrom: 'option' | string;
  /** The private desktop's name (`private_desktop_name`), or why there is none. */
  desktop: string | null;
  desktopNote?: string;
  /** The setup helper's refresh: run, skipped (done for the same roots earlier by the same session manager), or turned off. */
  refresh: 'ran' | 'skipped' | 'off';
  /** The helper run, when it ran or was skipped. */
  setupHelper?: string;
  /** What a person should know: the runner and the helper from different codex releases. */
  warnings?: string[];
}

export interface SandboxPrepRequest {
  codexHome: string;
  permissions: ResolvedPermissions;
  input: SpawnInput;
  capSids?: string[];
  privateDesktopName?: string;
  refreshSandbox: boolean;
  /** The runner file: the setup helper is looked for beside it. */
  runnerFile: string;
  /** The setupHelper session option: the helper's absolute path, looked for before anywhere else. */
  setupHelperFile?: string;
  /** The account the runner runs as (undefined: the current user). */
  sandboxUsername?: string;
  /** codex's install (find-codex-install.ts): the helper is taken from it first, as codex does. */
  install?: CodexInstall;
  /** The install found is one this module does not drive: said when no helper is found elsewhere. */
  installError?: CodexInstallError;
  /** The runner actually launched (its `.sandbox-bin` copy): its release is compared with the helper's. */
  launchedRunner?: string;
  desktops: PrivateDesktops;
  /** The owner's refreshes: one run per payload, and none again after one succeeded. */
  refreshes: SandboxRefreshes;
  /**
   * The session's end and its own bounds (its timeoutMs). No timeout of the refresh is taken from
   * here: sessions share one run of the helper, which one session's bound must not cut short for
   * the others; a session that gives up leaves it, and the last to leave ends it.
   */
  signal: AbortSignal;
  /** Told each step as it starts. */
  onStep?(step: SandboxPrepStep): void;
}

export interface PreparedSandbox {
  /** Replaces these fields of the spawn input. */
  spawn: Pick<SpawnInput, 'capSids' | 'env' | 'privateDesktopName'>;
  status: SandboxPrepStatus;
}

/** The step that failed leads the message ("private desktop: ..."), so the doctor and people can name it. */
export type SandboxPrepStep = 'environment' | 'capability SIDs' | 'sandbox refresh' | 'private desktop';

export class SandboxPrepError extends Error {
  constructor(
    readonly step: SandboxPrepStep,
    detail: string,
    /** The places looked, when the step looked for a file (the setup helper). */
    readonly looked?: string[],
  ) {
    super(`${step}: ${detail}`);
    this.name = 'SandboxPrepError';
  }
}

/** Runs one step, labelling its failure with the step; an abort passes through as it is. */
async function step<T>(name: SandboxPrepStep, r: Pick<SandboxPrepRequest, 'signal' | 'onStep'>, work: () => Promise<T>): Promise<T> {
  const { signal } = r;
  checkAborted(signal);
  r.onStep?.(name);
  try {
    return await work();
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new SandboxPrepError(name, (err as Error).message, err instanceof SandboxRefreshError ? err.looked : undefined);
  }
}

/** Throws before anything is made when codex's runner cannot run the profile. */
export function checkCodexRunnerProfile(permissions: ResolvedPermissions): void {
  const refusal = codexRunnerRefusal(permissions.profile);
  if (refusal) throw new Error(refusal);
}

export async function prepareCodexSandbox(r: SandboxPrepRequest): Promise<PreparedSandbox> {
  checkCodexRunnerProfile(r.permissions);
  const { input } = r;
  const env = await step('environment', r, () => prepareRunnerEnv(input.env, input.cwd));
  const sidRequest = { codexHome: r.codexHome, profile: r.permissions.profile, workspaceRoots: input.workspaceRoots, cwd: input.cwd, env, signal: r.signal };

  const [capSids, capSidsFrom] = await step('capability SIDs', r, async (): Promise<[string[], string]> => {
    if (r.capSids === undefined) return [(await capabilitySids(sidRequest)).sids, capSidFile(r.codexHome)];
    if (r.capSids.length === 0) {
      throw new Error(`capSids is an empty list: codex's runner refuses to run without a capability SID ("runner: empty capability SID list"); omit capSids to use the ones in ${capSidFile(r.codexHome)}, or give at least one`);
    }
    return [[...r.capSids], 'option'];
  });

  let refresh: SandboxPrepStatus['refresh'] = 'off';
  let setupHelper: string | undefined;
  if (r.refreshSandbox) [refresh, setupHelper] = await step('sandbox refresh', r, () => withReleaseNote(r, () => refreshSandbox(r, sidRequest)));

  let desktop: string | null = r.privateDesktopName ?? null;
  let desktopNote: string | undefined = r.privateDesktopName ? 'given by the caller' : undefined;
  if (desktop === null) {
    if (process.platform === 'win32') desktop = await step('private desktop', r, () => r.desktops.nameFor(r.sandboxUsername));
    else desktopNote = 'none: desktops exist only on Windows';
  }
  return {
    spawn: { capSids, env, privateDesktopName: desktop },
    status: { capSids, capSidsFrom, desktop, ...(desktopNote ? { desktopNote } : {}), refresh, ...(setupHelper ? { setupHelper } : {}), ...releaseWarnings(r, setupHelper) },
  };
}

async function refreshSandbox(r: SandboxPrepRequest, sidRequest: CapabilitySidRequest): Promise<['ran' | 'skipped', string]> {
  const helper = await findSetupHelper({ codexHome: r.codexHome, runnerFile: r.runnerFile, ...(r.install ? { install: r.install } : {}), ...(r.setupHelperFile !== undefined ? { explicit: r.setupHelperFile } : {}) });
  if (!helper.found) {
    const where =
      r.setupHelperFile !== undefined
        ? `at ${r.setupHelperFile}, which the setupHelper option names`
        : `in ${r.install ? `codex's install at ${r.install.root}` : "codex's install"}, beside the runner, .sandbox-bin or PATH (${placesLooked(helper.looked.length)})`;
    const install = r.setupHelperFile !== undefined || r.install ? '' : r.installError ? ` ${installProblemSummary(r.installError)}.` : ' No codex install was found (codexInstall option, codex on PATH, the standalone and desktop app folders).';
    throw new SandboxRefreshError(`codex's sandbox setup helper ${SETUP_HELPER_EXE} was not found ${where}.${install} codex ships it in its install's codex-resources folder: name the install with codexInstall (CLI --codex-install PATH), name the helper with setupHelper (CLI --setup-helper PATH), or set refreshSandbox: false (CLI --no-sandbox-refresh) when codex has prepared these folders already`, undefined, helper.looked);
  }
  const shape = await setupHelperShape(helper.found);
  const payload = await refreshPayload({
    codexHome: r.codexHome,
    cwd: r.input.cwd,
    writeRoots: await effectiveWriteRoots(sidRequest),
    workspaceRoots: r.input.workspaceRoots,
    readsRoot: readsRoot(r.permissions),
    // As upstream's current_setup_user: the token's DOMAIN\user, never %USERNAME%.
    realUser: process.platform === 'win32' ? await currentSetupUser() : os.userInfo().username,
    userProfile: process.env.USERPROFILE ?? os.homedir(),
  });
  const payloadBase64 = encodePayload(payloadForHelper(payload, shape));
  const launch = helperLaunch(payloadBase64, shape, process.env);
  const ran = await r.refreshes.run({ helper: helper.found, codexHome: r.codexHome, payloadBase64, launch, signal: r.signal });
  return [ran, helper.found];
}

/**
 * The runner copy's release (its `.sandbox-bin` name) against the install's, when the helper came
 * from that install: a mismatch is said, not refused. Both releases of 0.150-0.171 take setup
 * version 5, and the helper refuses any other payload version itself.
 */
function releaseWarnings(r: SandboxPrepRequest, helper: string | undefined): { warnings?: string[] } {
  const release = r.install?.release;
  if (!helper || !release || !r.install?.setupHelper || helper !== r.install.setupHelper) return {};
  const suffix = runnerSuffixOf(path.basename(r.launchedRunner ?? r.runnerFile));
  const runnerRelease = suffix !== null && parseRunnerVersion(suffix)?.kind === 'release' ? suffix : undefined;
  if (!runnerRelease || runnerRelease === release) return {};
  return { warnings: [`codex's runner ${r.launchedRunner ?? r.runnerFile} is from codex ${runnerRelease}, but the setup helper ${helper} from codex ${release} (${r.install.root}): they come from different releases`] };
}

/**
 * A failing helper from another release than the runner: said in the error, the first thing to
 * know. Without the setupHelper option the install's helper is the one found first, when it has one.
 */
async function withReleaseNote<T>(r: SandboxPrepRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const mismatch = r.setupHelperFile === undefined ? releaseWarnings(r, r.install?.setupHelper).warnings?.[0] : undefined;
    if (mismatch && err instanceof SandboxRefreshError) throw new SandboxRefreshError(`${err.message} (${mismatch})`, err.helperCode, err.looked);
    throw err;
  }
}

function readsRoot(permissions: ResolvedPermissions): boolean {
  const p = permissions.profile;
  return p.type === 'managed' && p.file_system.type === 'restricted' && p.file_system.entries.some((e) => e.access !== 'deny' && e.path.type === 'special' && e.path.value.kind === 'root');
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}
