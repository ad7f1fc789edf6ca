// pty_first_output_vs_node_pty: the time from spawn() to the first onData of a terminal through this
// package's node-pty facade (codex-runner-ipc/node-pty, its defaults), over the same for node-pty 1.1.0
// itself (a dev dependency), same command, interleaved round by round in one run.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import * as facade from '../src/node-pty';
import { interleaved, median } from './stats';

/** What this bench uses of node-pty's API (the facade and node-pty both have it). */
interface PtyLike {
  onData(listener: (data: string) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number }) => void): { dispose(): void };
}
type Spawn = (file: string, args: string[], options: { name: string; cols: number; rows: number; cwd: string; env: NodeJS.ProcessEnv }) => PtyLike;

/** node-pty from node_modules, or why not (it is a dev dependency, built by its install script). */
function loadNodePty(): { spawn: Spawn } | { skipped: string } {
  try {
    return { spawn: (createRequire(__filename)('node-pty') as { spawn: Spawn }).spawn };
  } catch (err) {
    return { skipped: `node-pty (dev dependency) cannot load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** spawn() to first output, then waits for the command's exit (exit code 0 required). */
async function firstOutputMs(spawn: Spawn): Promise<number> {
  const started = performance.now();
  const term = spawn('/bin/sh', ['-c', 'echo first-output'], { name: 'xterm-256color', cols: 80, rows: 24, cwd: process.cwd(), env: process.env });
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  const first = await new Promise<number>((resolve) => {
    const sub = term.onData(() => {
      sub.dispose();
      resolve(performance.now());
    });
  });
  const code = await exited;
  if (code !== 0) throw new Error(`the terminal's command exited ${code}`);
  return first - started;
}

export type PtyFirstOutputResult =
  | { skipped: string }
  | { facadeMs: number; nodePtyMs: number; firstFacadeMs: number; pty_first_output_vs_node_pty: number; samples: Record<'facade' | 'nodePty', number[]> };

export async function measurePtyFirstOutput(rounds: number): Promise<PtyFirstOutputResult> {
  const nodePty = loadNodePty();
  if ('skipped' in nodePty) return nodePty;
  // The first facade terminal of the process, on its own: what an app's first terminal waits.
  const firstFacadeMs = await firstOutputMs(facade.spawn as unknown as Spawn);
  await firstOutputMs(nodePty.spawn); // node-pty's first use loads its native module
  const samples = await interleaved(rounds, {
    facade: () => firstOutputMs(facade.spawn as unknown as Spawn),
    nodePty: () => firstOutputMs(nodePty.spawn),
  });
  const facadeMs = median(samples.facade);
  const nodePtyMs = median(samples.nodePty);
  return { facadeMs, nodePtyMs, firstFacadeMs, pty_first_output_vs_node_pty: facadeMs / nodePtyMs, samples };
}
