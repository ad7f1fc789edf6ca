// `codex-runner-ipc sandbox status`: whether codex's Windows sandbox is set up in a codex home,
// with every reason. Exit 0 when ready, 3 otherwise (2 stays the usage/IO error).
import * as path from 'node:path';
import { defaultCodexHome } from '../main/codex/home/codex-home-paths';
import { sandboxReadiness, type SandboxReadiness } from '../main/codex/home/readiness';
import type { SandboxStatusArgs } from './cli-args';

export const NOT_READY_EXIT = 3;

export async function runSandboxStatus(args: SandboxStatusArgs): Promise<number> {
  const codexHome = path.resolve(args.codexHome ?? defaultCodexHome());
  const readiness = await sandboxReadiness({ codexHome, ...(args.codexInstall !== undefined ? { codexInstall: path.resolve(args.codexInstall) } : {}) });
  process.stdout.write(args.json ? `${JSON.stringify({ state: readiness.state, reasons: readiness.reasons })}\n` : `${formatReadiness(codexHome, readiness)}\n`);
  return readiness.state === 'ready' ? 0 : NOT_READY_EXIT;
}

export function formatReadiness(codexHome: string, r: SandboxReadiness): string {
  const lines = [`codex sandbox in ${codexHome}: ${r.state}`];
  for (const reason of r.reasons) lines.push(`  ${reason.code}: ${reason.message}`);
  if (r.install) lines.push(`  install: ${r.install.root} (${r.install.kind}${r.install.release ? ` ${r.install.release}` : ''}; ${r.install.foundBy})`);
  if (r.setupHelper) lines.push(`  setup helper: ${r.setupHelper}`);
  for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
