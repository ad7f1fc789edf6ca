// What the throwaway users run, somewhere they may read it. A user's own processes cannot read the
// test runner's profile (C:\Users\<you>\...: node's module loader walks every folder of a path) nor,
// on many machines, wherever node.exe came from (nvm keeps it in AppData). So: a folder under
// %ProgramData% whose DACL icacls sets to SYSTEM and Administrators (full), the test users (read
// and execute), with a scratch folder they may write their results to; a copy of this node.exe and
// of koffi (JS + the win32-x64 native package) in it. Removed at the end.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SecretText } from '../../../src/main/codex/home/secret-text';
import type { RunnerProcess } from '../../../src/main/launch/launch-runner';
import { launchRunnerAsUser } from '../../../src/main/launch/win32/logon-launch';
import type { LocalUser } from './local-users';

const run = promisify(execFile);
const system32 = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32');
export const ICACLS = path.join(system32, 'icacls.exe');

export interface Stage {
  /** Read and execute for the test users. */
  root: string;
  /** A copy of this process's node.exe. */
  nodeExe: string;
  /** node_modules holding koffi, for scripts run by the users. */
  nodeModules: string;
  /** Modify for the test users: their probes write results here. */
  scratch: string;
  /** A codex home inside root (the runner is materialized into its .sandbox-bin). */
  codexHome: string;
  remove(): Promise<void>;
}

export async function makeStage(users: LocalUser[]): Promise<Stage> {
  const base = path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'codex-runner-ipc-tests');
  await fs.mkdir(base, { recursive: true });
  const root = path.join(base, randomBytes(8).toString('hex'));
  await fs.mkdir(root);
  const stage: Stage = {
    root,
    nodeExe: path.join(root, 'node.exe'),
    nodeModules: path.join(root, 'node_modules'),
    scratch: path.join(root, 'scratch'),
    codexHome: path.join(root, 'codex-home'),
    async remove() {
      await fs.rm(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
      await fs.rmdir(base).catch(() => {}); // only when no other run's stage is left in it
    },
  };
  try {
    // Explicit, not inherited (ProgramData lets every user create files in its subfolders).
    const admins = ['*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'];
    await run(ICACLS, [root, '/inheritance:r', '/grant:r', ...admins, ...users.map((u) => `*${u.sid}:(OI)(CI)RX`)]);
    await fs.mkdir(stage.scratch);
    await fs.mkdir(stage.codexHome);
    await run(ICACLS, [stage.scratch, '/grant', ...users.map((u) => `*${u.sid}:(OI)(CI)M`)]);
    await fs.copyFile(process.execPath, stage.nodeExe);
    // koffi's exports map hides its package.json: its entry (index.cjs) sits at the package root.
    const sources = { koffi: path.dirname(require.resolve('koffi')), '@koromix/koffi-win32-x64': path.dirname(require.resolve('@koromix/koffi-win32-x64/package.json')) };
    for (const [name, from] of Object.entries(sources)) await fs.cp(from, path.join(stage.nodeModules, name), { recursive: true });
  } catch (err) {
    await stage.remove();
    throw err;
  }
  return stage;
}

/** Names for scripts that are not runners: launchRunnerAsUser appends them; the scripts ignore them. */
const NO_PIPES = { in: '\\\\.\\pipe\\unused-in', out: '\\\\.\\pipe\\unused-out' };

/**
 * `node.exe -e script -- <resultFile> <nodeModules> ...args` as `user`, through the project's own
 * CreateProcessWithLogonW launcher (LOGON_WITH_PROFILE, no window, the user's own environment).
 */
export async function runScriptAsUser(user: LocalUser, stage: Stage, script: string, resultFile: string, args: string[] = [], pipes = NO_PIPES): Promise<RunnerProcess> {
  const password = SecretText.fromUtf8(Buffer.from(user.password, 'utf8'));
  try {
    return await launchRunnerAsUser({ exe: stage.nodeExe, args: ['-e', script, '--', resultFile, stage.nodeModules, ...args] }, pipes, { username: user.name, password, cwd: stage.root });
  } finally {
    password.wipe();
  }
}

/** The same script as this (elevated) user, with a plain child process. */
export function runScriptAsMe(stage: Stage, script: string, resultFile: string, args: string[] = []): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(stage.nodeExe, ['-e', script, '--', resultFile, stage.nodeModules, ...args], { stdio: 'ignore', windowsHide: true });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/** The JSON a probe wrote, waiting for it (a probe that exits without writing fails the wait). */
export async function readResult<T>(file: string, writer: { exited?: Promise<unknown> } = {}, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let writerDone = false;
  void writer.exited?.then(() => (writerDone = true));
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    }
    if (writerDone) {
      await new Promise((r) => setTimeout(r, 200)); // a last look: the write and the exit race
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as T;
      } catch {
        throw new Error(`the probe exited without writing ${file}`);
      }
    }
    if (Date.now() > deadline) throw new Error(`no result in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
