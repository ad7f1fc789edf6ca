// The public surface of each entry in package.json's exports map, as text: one line per exported
// name with its declared kind (from the built .d.ts, `export ... from` followed to the declaration)
// and what `require` of the built entry gives at run time. TypeScript 7's package offers no JS API
// (`require('typescript')` has only its version), so the declarations are read as text: tsc's own
// output, whose export forms are few and regular.
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');

type Kind = 'class' | 'function' | 'const' | 'let' | 'enum' | 'interface' | 'type' | 'namespace';
interface Declared {
  kind: Kind;
  /** Exported with `export type`: no value, whatever the declaration is. */
  typeOnly: boolean;
}

/** The declared exports of one .d.ts, by name. */
export function declaredExports(file: string, seen = new Set<string>()): Map<string, Declared> {
  const out = new Map<string, Declared>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8').replace(/\/\*[^]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const local = localDeclarations(text);
  const imports = importedNames(text, file);
  const kindOf = (name: string): Declared['kind'] | undefined => local.get(name) ?? (imports.has(name) ? resolveImport(imports.get(name)!, seen) : undefined);
  for (const m of text.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(class|function|const|let|enum|interface|type|namespace)\s+([\w$]+)/gm)) {
    out.set(m[2]!, { kind: m[1] as Kind, typeOnly: false });
  }
  for (const m of text.matchAll(/^export\s+\*\s+as\s+([\w$]+)\s+from\s+['"]([^'"]+)['"]/gm)) out.set(m[1]!, { kind: 'namespace', typeOnly: false });
  for (const m of text.matchAll(/^export\s+\*\s+from\s+['"]([^'"]+)['"]/gm)) {
    for (const [name, d] of declaredExports(dtsOf(file, m[1]!), seen)) out.set(name, d);
  }
  for (const m of text.matchAll(/^export\s+(type\s+)?\{([^}]*)\}(?:\s+from\s+['"]([^'"]+)['"])?/gm)) {
    const source = m[3] ? declaredExports(dtsOf(file, m[3]), new Set(seen)) : undefined;
    for (const spec of m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const one = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(spec);
      if (!one) throw new Error(`${file}: cannot read the export "${spec}"`);
      const [, typeMark, name, alias] = one;
      const found = source ? source.get(name!) : kindOf(name!) ? { kind: kindOf(name!)!, typeOnly: false } : undefined;
      if (!found) throw new Error(`${file}: "${name}" is exported but not declared where it comes from`);
      out.set(alias ?? name!, { kind: found.kind, typeOnly: found.typeOnly || !!m[1] || !!typeMark });
    }
  }
  return out;
}

function localDeclarations(text: string): Map<string, Kind> {
  const local = new Map<string, Kind>();
  for (const m of text.matchAll(/^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(class|function|const|let|enum|interface|type|namespace)\s+([\w$]+)/gm)) local.set(m[2]!, m[1] as Kind);
  return local;
}

function importedNames(text: string, file: string): Map<string, { from: string; name: string }> {
  const names = new Map<string, { from: string; name: string }>();
  for (const m of text.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"]([^'"]+)['"]/gm)) {
    for (const spec of m[1]!.split(',').map((s) => s.trim().replace(/^type\s+/, '')).filter(Boolean)) {
      const [name, alias] = spec.split(/\s+as\s+/);
      names.set(alias ?? name!, { from: m[2]!.startsWith('.') ? dtsOf(file, m[2]!) : m[2]!, name: name! });
    }
  }
  return names;
}

function resolveImport(i: { from: string; name: string }, seen: Set<string>): Kind | undefined {
  return i.from.endsWith('.d.ts') ? declaredExports(i.from, new Set(seen)).get(i.name)?.kind : undefined;
}

function dtsOf(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.d.ts`, path.join(base, 'index.d.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`${from}: no declarations for ${spec}`);
}

/**
 * `require` of a built entry. The Electron entries import `electron`, which outside Electron is
 * only the path of its binary: an empty module stands in for it, as nothing here calls it.
 */
function requireEntry(file: string): Record<string, unknown> {
  const electron = require.resolve('electron', { paths: [REPO] });
  if (!require.cache[electron]) {
    const stand = new Module(electron);
    stand.loaded = true;
    stand.exports = {};
    require.cache[electron] = stand;
  }
  return require(file) as Record<string, unknown>;
}

/** The lines for one entry of the exports map. */
export function entryLines(entry: string, target: unknown): string[] {
  const lines: string[] = [];
  const files = typeof target === 'string' ? { default: target } : (target as { types?: string; default: string });
  const code = path.join(REPO, files.default);
  if (!files.types) return [`${entry}  (file ${files.default})`];
  const declared = declaredExports(path.join(REPO, files.types));
  const runtime = requireEntry(code);
  const names = [...new Set([...declared.keys(), ...Object.keys(runtime)])].filter((n) => n !== '__esModule').sort();
  for (const name of names) {
    const d = declared.get(name);
    const kind = d ? `${d.typeOnly && d.kind !== 'interface' && d.kind !== 'type' ? 'type-only ' : ''}${d.kind}` : 'UNDECLARED';
    const value = Object.hasOwn(runtime, name) ? typeof runtime[name] : '-';
    lines.push(`${entry}  ${name}  ${kind}  runtime=${value}`);
  }
  return lines;
}

/** Every entry of package.json's exports map, in its order. */
export function publicSurface(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const lines = ['# The public surface: package.json exports, name, declared kind, typeof at run time.', '# Regenerate: UPDATE_SURFACE=1 node --test dist/test/api/public-surface.test.js'];
  for (const [entry, target] of Object.entries(pkg.exports)) lines.push(...entryLines(entry, target));
  return `${lines.join('\n')}\n`;
}
