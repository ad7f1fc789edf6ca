// The layering rule of src/, as data, and a reader of src/'s import graph that checks it.
// docs/architecture.md states the same rule in words; this file is what `npm test` holds it to.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The top-level parts of src/: the programs, then the layers below them. */
export type Part = 'main' | 'runner' | 'launcher' | 'cli' | 'protocol' | 'os' | 'util';

/** What each part may import (besides itself). Anything else is a broken rule. */
export const MAY_IMPORT: Record<Part, readonly Part[]> = {
  util: [],
  protocol: ['util'],
  os: ['util', 'protocol'],
  // programs
  runner: ['util', 'protocol', 'os'],
  launcher: ['util', 'protocol', 'os'],
  main: ['util', 'protocol', 'os'],
  // The CLI is a front end over the library: its public API, plus the library's non-session folders.
  cli: ['util', 'protocol', 'os', 'main'],
};

/** Inside `main`, the CLI may reach the session code only through the public API. */
const CLI_MAIN_ENTRY = 'main/index.ts';
const CLI_FORBIDDEN_MAIN = 'main/session/';

export interface ImportEdge {
  /** Both relative to src/, with '/' separators. */
  from: string;
  to: string;
  line: number;
}

export interface Violation extends ImportEdge {
  why: string;
}

function partOf(file: string): Part | undefined {
  const top = file.split('/')[0];
  return top && top in MAY_IMPORT ? (top as Part) : undefined;
}

/** The rule's verdict on one import between two files under src/. */
export function checkEdge(edge: ImportEdge): Violation | undefined {
  const from = partOf(edge.from);
  const to = partOf(edge.to);
  if (!from) return { ...edge, why: `${edge.from} is in no known part of src/ (${Object.keys(MAY_IMPORT).join(', ')})` };
  if (!to) return { ...edge, why: `${edge.to} is in no known part of src/` };
  if (from === to) return undefined;
  if (!MAY_IMPORT[from].includes(to)) return { ...edge, why: `${from} may import only ${MAY_IMPORT[from].join(', ') || 'nothing else in src/'}, not ${to}` };
  if (from === 'cli' && edge.to.startsWith(CLI_FORBIDDEN_MAIN)) {
    return { ...edge, why: `the CLI reaches the session code only through src/${CLI_MAIN_ENTRY}` };
  }
  return undefined;
}

const SOURCE = /\.(c|m)?tsx?$/;
const IMPORT = /(?:^|[^\w.])(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import between files under `srcDir` (type-only ones too: they couple the code all the same). */
export function importEdges(srcDir: string): ImportEdge[] {
  const files = readdirSync(srcDir, { recursive: true })
    .map(String)
    .filter((f) => SOURCE.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.split(path.sep).join('/'));
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const lines = readFileSync(path.join(srcDir, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(IMPORT)) {
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
        const to = [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')].find((c) => known.has(c)) ?? base;
        edges.push({ from: file, to, line: i + 1 });
      }
    });
  }
  return edges;
}
