// Where the compiled fixtures and the bundled runner live (tests run from dist/test/...).
import * as path from 'node:path';
import type { RunnerSpec } from '../../src/main/launch/runner-spec';

const distRoot = path.resolve(__dirname, '..', '..');

/** The runner as shipped: one bundled file (build with `node scripts/bundle.mjs`). */
export const BUNDLED_RUNNER = path.join(distRoot, 'runner', 'codex-command-runner.js');

/** The misbehaving runner; `mode` picks the misbehaviour (see fixtures/rogue-runner.ts). */
export const ROGUE_RUNNER = path.join(distRoot, 'test', 'fixtures', 'rogue-runner.js');

export function rogueRunner(mode: string): RunnerSpec {
  return { exe: process.execPath, args: [ROGUE_RUNNER, mode] };
}

export function realRunner(): RunnerSpec {
  return { exe: process.execPath, args: [BUNDLED_RUNNER] };
}
