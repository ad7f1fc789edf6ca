// src/'s folders say which program a file belongs to, and the layers below the programs import
// nothing above them (docs/architecture.md). This test reads the real import graph of src/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { checkEdge, importEdges, MAY_IMPORT } from './import-rules';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const srcDir = path.join(repoRoot, 'src');

test('every import in src/ keeps the layering rule', () => {
  const edges = importEdges(srcDir);
  // The graph was read: a broken reader must not pass by finding nothing.
  assert.ok(edges.length > 300, `only ${edges.length} imports found in ${srcDir}`);
  const broken = edges.map(checkEdge).filter((v) => v !== undefined);
  assert.deepEqual(broken.map((v) => `src/${v.from}:${v.line} imports src/${v.to}: ${v.why}`), []);
});

test("src/'s top level holds just the programs and the layers the rule names", () => {
  const top = (require('node:fs') as typeof import('node:fs')).readdirSync(srcDir).sort();
  assert.deepEqual(top, Object.keys(MAY_IMPORT).sort());
});

test('the rule refuses an upward import, a program reaching into another, and the CLI reaching past the public API', () => {
  assert.match(checkEdge({ from: 'os/win32/x.ts', to: 'main/launch/y.ts', line: 1 })!.why, /^os may import only util, protocol, not main$/);
  assert.match(checkEdge({ from: 'util/x.ts', to: 'protocol/y.ts', line: 1 })!.why, /^util may import only nothing else in src\/, not protocol$/);
  assert.match(checkEdge({ from: 'launcher/x.ts', to: 'runner/y.ts', line: 1 })!.why, /not runner$/);
  assert.match(checkEdge({ from: 'runner/x.ts', to: 'main/session/session.ts', line: 1 })!.why, /not main$/);
  assert.match(checkEdge({ from: 'main/x.ts', to: 'cli/main.ts', line: 1 })!.why, /not cli$/);
  assert.match(checkEdge({ from: 'cli/x.ts', to: 'main/session/session-manager.ts', line: 1 })!.why, /only through src\/main\/index\.ts/);
  assert.equal(checkEdge({ from: 'cli/x.ts', to: 'main/index.ts', line: 1 }), undefined);
  assert.equal(checkEdge({ from: 'main/session/x.ts', to: 'os/win32/y.ts', line: 1 }), undefined);
});

test('the graph reader finds every import form: from, type-only, dynamic import, require', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'layering-'));
  try {
    mkdirSync(path.join(dir, 'os'));
    mkdirSync(path.join(dir, 'main', 'session'), { recursive: true });
    writeFileSync(path.join(dir, 'main', 'session', 's.ts'), 'export const s = 1;\n');
    writeFileSync(
      path.join(dir, 'os', 'bad.ts'),
      [
        "import { s } from '../main/session/s';",
        "import type { s as t } from '../main/session/s';",
        "const later = () => import('../main/session/s');",
        "const r = require('../main/session/s');",
      ].join('\n'),
    );
    const edges = importEdges(dir);
    assert.deepEqual(edges.map((e) => `${e.from}:${e.line} -> ${e.to}`), [1, 2, 3, 4].map((l) => `os/bad.ts:${l} -> main/session/s.ts`));
    assert.equal(edges.map(checkEdge).filter(Boolean).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(existsSync(dir), false);
});

test('examples/ use the package as an app does: only its public entries', () => {
  // The entries of package.json's exports map, as source files.
  const publicEntries = new Set(['src/main/index.ts', 'src/main/node-pty/index.ts', 'electron/main/index.ts', 'electron/builder/builder-config.ts']);
  const examples = path.join(repoRoot, 'examples');
  const leaving = importEdges(examples)
    .map((e) => ({ ...e, target: path.relative(repoRoot, path.join(examples, e.to)).split(path.sep).join('/') }))
    .filter((e) => !e.target.startsWith('examples/'));
  assert.ok(leaving.length >= 2, 'the demo imports the package');
  const target = (t: string) => [t, `${t}.ts`, `${t}/index.ts`].find((c) => publicEntries.has(c)) ?? t;
  assert.deepEqual(leaving.map((e) => target(e.target)).filter((t) => !publicEntries.has(t)).map((t) => `examples/ imports ${t}, not a public entry`), []);
});
