// codex's own parent, codex.exe from the npm layout (scripts/wine/codex-install.sh), as the oracle:
// what it prints, logs and writes for a codex home is compared with what this module does.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { npmCodexInstall, type NpmCodexInstall } from '../../helpers/codex-install';

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `exe args` with CODEX_HOME set (and nothing else changed), collecting both streams. */
export function runWithCodexHome(exe: string, args: string[], codexHome: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { env: { ...process.env, ...extraEnv, CODEX_HOME: codexHome }, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `codex.exe sandbox [-c windows.sandbox="elevated"] -P :workspace -C <work> -- cmd.exe /d /c echo hi`. */
export function codexSandboxEcho(install: NpmCodexInstall, codexHome: string, work: string, level: 'unelevated' | 'elevated'): Promise<CodexRun> {
  const config = level === 'elevated' ? ['-c', 'windows.sandbox="elevated"'] : [];
  return runWithCodexHome(install.codexExe, ['sandbox', ...config, '-P', ':workspace', '-C', work, '--', 'cmd.exe', '/d', '/c', 'echo hi'], codexHome);
}

/** Everything codex (and its helper) logged in `<home>/.sandbox/*.log`. */
export function sandboxLogs(codexHome: string): string {
  const dir = path.join(codexHome, '.sandbox');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/** `<home>/.sandbox/setup_error.json` as the helper wrote it. */
export function setupErrorReport(codexHome: string): { code: string; message: string } {
  return JSON.parse(readFileSync(path.join(codexHome, '.sandbox', 'setup_error.json'), 'utf8')) as { code: string; message: string };
}

/**
 * The install as a user has it: npm's prefix (the folder with the codex shims) first on PATH, in this
 * process's environment, which is what the module reads by default. Returns the install.
 */
export function putCodexOnPath(): NpmCodexInstall {
  const install = npmCodexInstall();
  const key = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const dirs = (process.env[key] ?? '').split(path.delimiter).filter((d) => d !== '' && d !== install.prefix);
  process.env[key] = [install.prefix, ...dirs].join(path.delimiter);
  return install;
}
