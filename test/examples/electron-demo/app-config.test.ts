// This repo's own app (build/electron-builder.yml) is the demo: its packed entry is the demo's
// built main.js, and everything that entry loads is among the files the config packs. The
// Windows build itself runs only in CI (`npm run dist`); this holds the paths together here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

// js-yaml ships no types of its own; this is the one call used.
const yaml = require('js-yaml') as { load(text: string): unknown };
const repo = path.resolve(__dirname, '..', '..', '..', '..');

/** electron-builder's file patterns as used there: `*` within a folder, `**` across folders, `!` to exclude. */
function packs(patterns: readonly string[], file: string): boolean {
  let packed = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const re = new RegExp(`^${glob.split('**/').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('(?:.*/)?')}$`);
    if (re.test(file)) packed = !negated;
  }
  return packed;
}

test("the packed app's entry is the demo's built main.js, and every file it loads is packed", () => {
  const own = yaml.load(readFileSync(path.join(repo, 'build', 'electron-builder.yml'), 'utf8')) as { extraMetadata: { main: string }; files: string[] };
  assert.equal(own.extraMetadata.main, 'dist/examples/electron-demo/main.js');
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    assert.ok(existsSync(path.join(repo, file)), `${file} is built`);
    assert.ok(packs(own.files, file), `${file} is among build/electron-builder.yml's files`);
    for (const m of readFileSync(path.join(repo, file), 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
      visit(target.endsWith('.js') ? target : `${target}.js`);
    }
  };
  visit(own.extraMetadata.main);
  for (const file of ['dist/examples/electron-demo/demo-sessions.js', 'dist/examples/electron-demo/launch-policy.js', 'dist/electron/main/index.js', 'dist/src/main/index.js']) {
    assert.ok(loaded.has(file), `the entry loads ${file}`);
  }
  assert.ok(!packs(own.files, 'dist/electron/preload/preload.js') && packs(own.files, 'dist/electron/preload/preload.bundle.js'), 'the preload is packed as its bundle only');
});
