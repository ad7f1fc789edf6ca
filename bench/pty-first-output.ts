// pty_first_output_vs_node_pty: the time from spawn() to the first onData of a terminal through this
// package's node-pty facade (codex-runner-ipc/node-pty, its defaults), over the same for node-pty 1.1.0
// itself (a dev dependency), same command, interleaved round by round in one run. Each facade sample
// starts once the facade's warm runner is up (as a terminal opened a moment after the last one
// finds it). pty_first_output_back_to_back_vs_node_pty: facade terminals started one right after
// another's exit, so each waits for the runner launched for it, over the same node-pty median.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import * as facade from '../src/main/node-pty';
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

/** Until the facade's own manager holds an idle warm runner. */
async function warmRunnerUp(limitMs = 20_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(facade.defaultManager()?.poolStatus().some((p) => p.idle > 0) ?? false)) {
    if (performance.now() > deadline) throw new Error("the facade's warm runner did not come up in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type PtyFirstOutputResult =
  | { skipped: string }
  | {
      facadeMs: number;
      nodePtyMs: number;
      firstFacadeMs: number;
      backToBackMs: number;
      pty_first_output_vs_node_pty: number;
      pty_first_output_back_to_back_vs_node_pty: number;
      samples: Record<'facade' | 'nodePty' | 'backToBack', number[]>;
    };

export async function measurePtyFirstOutput(rounds: number): Promise<PtyFirstOutputResult> {
  const nodePty = loadNodePty();
  if ('skipped' in nodePty) return nodePty;
  const facadeSpawn = facade.spawn as unknown as Spawn;
  try {
    // The first facade terminal of the process, on its own: what an app's first terminal waits.
    const firstFacadeMs = await firstOutputMs(facadeSpawn);
    await firstOutputMs(nodePty.spawn); // node-pty's first use loads its native module
    const samples = await interleaved(rounds, {
      facade: async () => {
        await warmRunnerUp();
        return firstOutputMs(facadeSpawn);
      },
      nodePty: () => firstOutputMs(nodePty.spawn),
    });
    const backToBack: number[] = [];
    for (let i = 0; i < Math.min(rounds, 7); i++) backToBack.push(await firstOutputMs(facadeSpawn));
    const facadeMs = median(samples.facade);
    const nodePtyMs = median(samples.nodePty);
    const backToBackMs = median(backToBack);
    return {
      facadeMs,
      nodePtyMs,
      firstFacadeMs,
      backToBackMs,
      pty_first_output_vs_node_pty: facadeMs / nodePtyMs,
      pty_first_output_back_to_back_vs_node_pty: backToBackMs / nodePtyMs,
      samples: { ...samples, backToBack },
    };
  } finally {
    await facade.disposeDefaultManager();
  }
}
