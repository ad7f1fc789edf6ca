// `codex-runner-ipc sandbox setup [--codex-home DIR] [--codex-install PATH] [--setup-helper PATH] [--json]`:
// runs codex's sandbox setup (setupSandbox), asking for elevation when this process is not
// elevated. Prints each stage, then the outcome; exits 0 when it succeeded, 1 when it failed,
// 3 when the elevation prompt was declined, 2 on bad usage.
import * as path from 'node:path';
import { defaultCodexHome } from '../codex-home/codex-home-paths';
import { setupSandbox, type SandboxSetupOptions } from '../sandbox-setup/setup-sandbox';

export const SANDBOX_SETUP_USAGE = `usage: codex-runner-ipc sandbox setup [--codex-home DIR] [--codex-install PATH] [--setup-helper PATH] [--json]
  runs codex's own setup helper to create its sandbox users (asks for elevation unless this
  process is elevated). --codex-home: default $CODEX_HOME, else ~/.codex. --codex-install:
  codex.exe or the folder holding codex-resources. --setup-helper: the helper itself.
  Exit: 0 set up, 1 failed, 3 elevation declined, 2 usage.`;

export interface SandboxSetupArgs {
  codexHome: string;
  codexInstall?: string;
  setupHelper?: string;
  json: boolean;
}

export function parseSandboxSetupArgs(argv: readonly string[]): SandboxSetupArgs {
  const args: Partial<SandboxSetupArgs> & { json: boolean } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return path.resolve(v);
    };
    switch (flag) {
      case '--codex-home': args.codexHome = value(); break;
      case '--codex-install': args.codexInstall = value(); break;
      case '--setup-helper': args.setupHelper = value(); break;
      case '--json': args.json = true; break;
      default: throw new Error(`unknown option ${JSON.stringify(flag)}`);
    }
  }
  return { ...args, codexHome: args.codexHome ?? path.resolve(defaultCodexHome()) };
}

export async function runSandboxSetupCommand(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let args: SandboxSetupArgs;
  try {
    args = parseSandboxSetupArgs(argv);
  } catch (e) {
    err.write(`codex-runner-ipc sandbox setup: ${(e as Error).message}\n\n${SANDBOX_SETUP_USAGE}\n`);
    return 2;
  }
  const options: SandboxSetupOptions = {
    codexHome: args.codexHome,
    ...(args.codexInstall ? { codexInstall: args.codexInstall } : {}),
    ...(args.setupHelper ? { setupHelper: args.setupHelper } : {}),
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
    out.write(`codex sandbox setup in ${args.codexHome}: ${result.outcome}${result.code ? ` (${result.code}: ${result.message ?? ''})` : ''}\n`);
    out.write(`readiness: ${result.readiness.state}\n`);
    for (const r of result.readiness.reasons) out.write(`  ${r.code}: ${r.message}\n`);
  }
  return result.outcome === 'succeeded' ? 0 : result.outcome === 'canceled' ? 3 : 1;
}
