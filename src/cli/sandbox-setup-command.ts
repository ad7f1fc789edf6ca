// `codex-runner-ipc sandbox setup [--codex-home DIR] [--codex-install PATH] [--setup-helper PATH] [--json]`:
// runs codex's sandbox setup (setupSandbox), asking for elevation when this process is not
// elevated. Prints each stage, then the outcome; exits 0 when it succeeded, 1 when it failed,
// 3 when the elevation prompt was declined, 2 on bad usage.
import * as path from 'node:path';
import { defaultCodexHome } from '../main/codex/home/codex-home-paths';
import { setupSandbox, type SandboxSetupOptions } from '../main/codex/sandbox-setup/setup-sandbox';
import type { SandboxSetupArgs } from './cli-args';

export async function runSandboxSetupCommand(args: SandboxSetupArgs, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const codexHome = path.resolve(args.codexHome ?? defaultCodexHome());
  const options: SandboxSetupOptions = {
    codexHome,
    ...(args.codexInstall !== undefined ? { codexInstall: path.resolve(args.codexInstall) } : {}),
    ...(args.setupHelper !== undefined ? { setupHelper: path.resolve(args.setupHelper) } : {}),
    onProgress: (stage) => {
      if (!args.json) err.write(`sandbox setup: ${stage.replaceAll('_', ' ')}\n`);
    },
  };
  let result;
  try {
    result = await setupSandbox(options);
  } catch (e) {
    err.write(`codex-runner-ipc sandbox setup: ${(e as Error).message}\n`);
    return 1;
  }
  if (args.json) {
    out.write(`${JSON.stringify(result)}\n`);
  } else {
    out.write(`codex sandbox setup in ${codexHome}: ${result.outcome}${result.code ? ` (${result.code}: ${result.message ?? ''})` : ''}\n`);
    for (const place of result.looked ?? []) out.write(`  looked: ${place}\n`);
    out.write(`readiness: ${result.readiness.state}\n`);
    for (const r of result.readiness.reasons) out.write(`  ${r.code}: ${r.message}\n`);
  }
  return result.outcome === 'succeeded' ? 0 : result.outcome === 'canceled' ? 3 : 1;
}
