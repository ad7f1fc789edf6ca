// Whether a session logs on as codex's sandbox users, and the options its gate reads their readiness
// with (launch-plan.ts, sandbox-gate.ts): what the panel needs to show that readiness as the session
// sees it. Only on Windows: elsewhere there are no sandbox users to be ready.
import { profileAllowsNetwork, type ResolvedPermissions } from '../../protocol/permissions';
import type { SessionConfig } from './session-options';
import type { CodexSandboxUse } from './session-status';

export function codexSandboxUse(o: SessionConfig, permissions: ResolvedPermissions, platform: NodeJS.Platform = process.platform): CodexSandboxUse | undefined {
  if (platform !== 'win32' || !o.codexHome) return undefined;
  // As resolveLaunch: 'codex' when asked for, and the default with codex's runner.
  const sandbox = o.sandbox ?? (o.runner === 'codex' ? 'codex' : undefined);
  if (sandbox !== 'codex') return undefined;
  return {
    codexHome: o.codexHome,
    ...(o.codexInstall !== undefined ? { codexInstall: o.codexInstall } : {}),
    ...(o.setupHelper ? { setupHelper: o.setupHelper } : {}),
    networkRestricted: !profileAllowsNetwork(permissions.profile),
  };
}

/** The status field: `{ codexSandbox }` for such a session, else nothing (no key). */
export function codexSandboxField(o: SessionConfig, permissions: ResolvedPermissions): { codexSandbox?: CodexSandboxUse } {
  const use = codexSandboxUse(o, permissions);
  return use ? { codexSandbox: use } : {};
}
