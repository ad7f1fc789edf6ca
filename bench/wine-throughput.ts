// wine_pipe_throughput_vs_node_net_pipe, launched from Linux: runs wine/named-pipe-throughput.js
// with the Windows node.exe under Wine (wine-script.ts).
import * as path from 'node:path';
import { runWineScript, wineUnavailable } from './wine-script';

const SCRIPT = path.join(__dirname, 'wine', 'named-pipe-throughput.js');
const NAMED_PIPE_LAYER = path.resolve(__dirname, '..', 'src', 'os', 'win32', 'named-pipe-pair.js');

export type WineResult =
  | { skipped: string }
  | { wine_pipe_throughput_vs_node_net_pipe: number; session: number; netPipe: number };

export async function measureWine(bytes: number, rounds: number): Promise<WineResult> {
  const why = wineUnavailable(SCRIPT, [NAMED_PIPE_LAYER]);
  if (why) return { skipped: why };
  const parsed = await runWineScript(SCRIPT, [String(bytes), String(rounds)]);
  if (typeof parsed.wine_pipe_throughput_vs_node_net_pipe !== 'number') throw new Error(`Wine bench printed no ratio: ${JSON.stringify(parsed)}`);
  return {
    wine_pipe_throughput_vs_node_net_pipe: parsed.wine_pipe_throughput_vs_node_net_pipe,
    session: parsed.session as number,
    netPipe: parsed.netPipe as number,
  };
}
