import type { RunnerPipeOptions, RunnerPipePair } from '../runner-pipes';
export async function createNamedPipePair(_options: RunnerPipeOptions): Promise<RunnerPipePair> {
  throw new Error('named pipes are not implemented yet');
}
