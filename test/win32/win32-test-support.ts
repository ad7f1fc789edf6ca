// Shared by the Win32 tests (run under Wine with the real node.exe and koffi, or on Windows).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { win32 } from '../../src/os/win32/win32-api';
import { testApi } from './win32-test-api';
import { spawnJobChild } from '../../src/runner/win32/job-child';

/** Every Win32 test skips itself elsewhere, saying why. */
export const skipUnlessWindows = process.platform === 'win32' ? false : 'Win32 layer: runs with the Windows node.exe (npm run test:wine) or on Windows';

/** Runs `node.exe -e script ...args`, collecting its stdout/stderr (Node pipes between Windows processes work under Wine). */
export function runNode(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** A node.exe script that opens both runner pipes as a runner would, then idles until killed. */
export const OPEN_PIPES_SCRIPT = `
const net = require('net');
const [inName, outName] = process.argv.slice(1);
const a = net.connect({ path: inName, allowHalfOpen: true });
a.on('connect', () => {
  const b = net.connect({ path: outName, allowHalfOpen: true });
  b.on('connect', () => console.log('connected'));
  b.on('error', (e) => { console.error('out: ' + e.message); process.exit(4); });
});
a.on('error', (e) => { console.error('in: ' + e.message); process.exit(3); });
setTimeout(() => {}, 60000);
`;

/** True under Wine (its ntdll exports wine_get_version): some answers differ from Windows there. */
export function runningUnderWine(): boolean {
  if (process.platform !== 'win32') return false;
  const koffi = require('koffi') as typeof import('koffi');
  try {
    koffi.load('ntdll.dll').func('const char *wine_get_version(void)');
    return true;
  } catch {
    return false;
  }
}

/** Handles this process holds now: the leak checks compare it before and after. */
export function processHandleCount(): number {
  const count: [number] = [0];
  assert.ok(testApi().GetProcessHandleCount(win32().GetCurrentProcess(), count), 'GetProcessHandleCount');
  return count[0];
}

/** Runs `file args` as the runner's job child, with this process's environment; its stdout and exit code. */
export function runJobChild(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawnJobChild(file, args, { cwd: __dirname, env: { ...process.env } as Record<string, string>, stdinOpen: false });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.resume();
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve({ code, stdout })));
}
