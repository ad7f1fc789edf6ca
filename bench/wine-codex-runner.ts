// codex_runner_start_vs_bundled_runner and codex_runner_throughput_vs_bundled_runner, launched from
// Linux: runs wine/codex-runner-vs-bundled.js (codex's real runner against this package's, both
// under Wine in one run) with the Windows node.exe (wine-script.ts).
import * as path from 'node:path';
import { codexReleaseOfShape } from '../test/helpers/codex-releases';
import { runWineScript, wineUnavailable } from './wine-script';

const SCRIPT = path.join(__dirname, 'wine', 'codex-runner-vs-bundled.js');

export type CodexRunnerResult =
  | { skipped: string }
  | {
      release: string;
      codex_runner_start_vs_bundled_runner: number;
      codex_runner_throughput_vs_bundled_runner: number;
      codexStartMs: number;
      bundledStartMs: number;
      codexBytesPerSecond: number;
      bundledBytesPerSecond: number;
    };

export async function measureCodexRunner(bytes: number, rounds: number): Promise<CodexRunnerResult> {
  const why = wineUnavailable(SCRIPT);
  if (why) return { skipped: why };
  // The set-up fetches the release (scripts/wine/codex-releases.sh); without it this throws, naming the fix.
  codexReleaseOfShape('v6-B');
  const p = await runWineScript(SCRIPT, [String(bytes), String(rounds)]);
  for (const key of ['codex_runner_start_vs_bundled_runner', 'codex_runner_throughput_vs_bundled_runner']) {
    if (typeof p[key] !== 'number') throw new Error(`Wine bench printed no ${key}: ${JSON.stringify(p)}`);
  }
  return p as unknown as CodexRunnerResult;
}
