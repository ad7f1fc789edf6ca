// Bundles the pieces that must stand alone as single files:
// - the runner, so materialization can copy one file into <codexHome>/.sandbox-bin;
// - the runner launcher, started by the main process from beside the runner;
// - the Electron preload, since a sandboxed preload cannot require project files.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: ['src/runner/main.ts'],
  outfile: 'dist/runner/codex-command-runner.js',
  external: ['koffi'],
  banner: { js: '#!/usr/bin/env node' },
});
// The runner launcher: one helper process per main process, started from dist/runner/ beside the runner.
await build({ ...common, entryPoints: ['src/launcher/main.ts'], outfile: 'dist/runner/codex-runner-launcher.js', external: ['koffi'] });
if (existsSync('electron/preload/preload.ts')) {
  // Sandboxed preloads get only a few built-ins ('electron' among them): everything else is inlined.
  await build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload/preload.bundle.js', external: ['electron'], target: 'chrome120' });
}
if (existsSync('renderer/panel.ts')) {
  // The panel: one browser script beside its page and stylesheet (the CSP allows only 'self').
  await build({ bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning', entryPoints: ['renderer/panel.ts'], outfile: 'dist/renderer/panel.bundle.js' });
  mkdirSync('dist/renderer', { recursive: true });
  for (const file of ['index.html', 'panel.css']) copyFileSync(`renderer/${file}`, `dist/renderer/${file}`);
}
