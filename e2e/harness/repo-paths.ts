// The e2e code runs against the BUILT app (dist/), as Electron would: the runner bundle, the
// preload bundle and the renderer bundle are the shipped files. Modules are loaded at run time so
// `tsc -p .` type-checks this folder before dist/ exists.
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const dist = (...parts: string[]) => path.join(repoRoot, 'dist', ...parts);

export function requireBuilt<T>(...parts: string[]): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(dist(...parts)) as T;
}
