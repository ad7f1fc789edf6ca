// Bundles the two pieces that must stand alone as single files:
// - the runner, so materialization can copy one file into <codexHome>/.sandbox-bin;
// - the Electron preload, since a sandboxed preload cannot require project files.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: ['src/runner/main.ts'],
  outfile: 'dist/runner/codex-command-runner.js',
  external: ['koffi'],
  banner: { js: '#!/usr/bin/env node' },
});
if (existsSync('electron/preload.ts')) {
  await build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.bundle.js', external: ['electron'] });
}
