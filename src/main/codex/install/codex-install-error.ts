// What went wrong finding codex's install: the kind says which case, so an app can tell a Store
// (app-package) or registered-runtime install, which this module does not drive, from a path that
// holds no codex at all.

export type CodexInstallProblem =
  /** The codexInstall option names no codex.exe, codex-resources folder or install root. */
  | 'invalid'
  /** codex runs as the desktop app's registered runtime (CODEX_WINDOWS_REGISTERED_CORE=1, or the HKLM record). */
  | 'registered-runtime'
  /** codex is inside an app package (the Store app, under WindowsApps): its runner is reached only through the package. */
  | 'app-package';

export class CodexInstallError extends Error {
  override readonly name = 'CodexInstallError';
  constructor(
    readonly problem: CodexInstallProblem,
    message: string,
    /** The path or setting the problem is about. */
    readonly where?: string,
    /** Every place looked before the problem was found, when the message counts them. */
    readonly looked?: string[],
  ) {
    super(message);
  }
}

/** The problem in one clause, for a message about something else (the full message stays on the error). */
export function installProblemSummary(err: CodexInstallError): string {
  switch (err.problem) {
    case 'registered-runtime':
      return `codex is the desktop app's registered runtime (${err.where ?? 'recorded'}), which this module does not drive: name a CLI install with codexInstall (--codex-install)`;
    case 'app-package':
      return `codex at ${err.where ?? '?'} is inside an app package (the Store app), which this module does not drive: name a CLI install with codexInstall (--codex-install)`;
    case 'invalid':
      return `the codexInstall option ${err.where ?? ''} names no codex install`;
  }
}
