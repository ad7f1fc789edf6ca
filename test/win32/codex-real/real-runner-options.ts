// How the codex-real tests start codex's own runner under Wine: launched directly as the current
// user (Wine's CreateProcessWithLogonW is a stub), the pipes admitting that user, a capability SID
// and a private desktop made here (the runners refuse an empty SID list; 6-B refuses to run
// without a parent-owned desktop).
import type { SessionOptions } from '../../../src/session/session-options';
import type { CodexRelease } from '../../helpers/codex-releases';

/** Any well-formed SID: Wine enforces no restricted token, the runner only needs one to build it. */
export const HAND_CAP_SID = 'S-1-5-21-1-2-3-4';

/** Generous bounds: under Wine on two shared cores a runner's first start can take seconds. */
export const SLOW_MACHINE_BOUNDS = { connectTimeoutMs: 60_000, spawnReadyTimeoutMs: 60_000, terminateGraceMs: 10_000 } as const;

export function realRunnerOptions(release: CodexRelease, desktopName: string, cwd: string): Partial<SessionOptions> {
  return {
    runner: { exe: release.runner, kind: 'codex' },
    cwd,
    capSids: [HAND_CAP_SID],
    privateDesktopName: desktopName,
    usePrivateDesktop: true,
    ...SLOW_MACHINE_BOUNDS,
  };
}
