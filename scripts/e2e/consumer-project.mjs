// A fresh consumer project in a temp dir that depends on this package's packed tarball, installed
// the way an app installs it (`npm ci`), offline: the lockfile written here pins the tarball and
// takes koffi's entries (integrity included) from this repo's own lockfile, so npm needs only the
// tarballs the repo's own `npm ci` already put in npm's cache. Used by check-consumer.mjs and
// check-package.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '..', '..');

/** npm as a child: under `npm test` through npm's own CLI script (npm.cmd needs a shell on Windows). */
export function npm(args, options) {
  const cli = process.env.npm_execpath;
  const [cmd, argv, shell] = cli && /\.c?js$/.test(cli) ? [process.execPath, [cli, ...args], false] : ['npm', args, process.platform === 'win32'];
  return spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, shell, ...options });
}

/**
 * `npm pack` of the repo as it is built (no lifecycle scripts: `npm run build` ran first), into
 * `dest`. Returns the tarball's path and what npm says it holds.
 */
export function packTarball(dest) {
  mkdirSync(dest, { recursive: true });
  const r = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: repo });
  if (r.status !== 0) throw new Error(`npm pack failed (${r.status}): ${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize, integrity: info.integrity, entryCount: info.entryCount };
}

/**
 * Writes `dir`/package.json (plus `extra` fields) and a lockfile, then `npm ci --offline`.
 * Install scripts are off (koffi's only checks for its prebuilt binary, which its native package brings).
 */
export function installConsumer(dir, pack, extra = {}) {
  mkdirSync(dir, { recursive: true });
  const own = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const repoLock = JSON.parse(readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
  const spec = `file:${path.relative(dir, pack.tarball).split(path.sep).join('/')}`;
  const manifest = { name: 'consumer', version: '1.0.0', private: true, ...extra, dependencies: { [own.name]: spec } };
  const packages = {
    '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies },
    [`node_modules/${own.name}`]: { version: own.version, resolved: spec, integrity: pack.integrity, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  for (const [key, entry] of Object.entries(repoLock.packages)) {
    if (key === 'node_modules/koffi' || key.startsWith('node_modules/@koromix/')) packages[key] = entry;
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n');
  return npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
}

/**
 * The fenced code blocks of a markdown file whose first line is `// <name>` (or `# <name>`), by
 * name: the examples the docs show are the files the checks run.
 */
export function examplesIn(markdownFile) {
  const text = readFileSync(markdownFile, 'utf8');
  const found = new Map();
  for (const m of text.matchAll(/^```[a-z]*\n((?:\/\/|#) (\S+)\n[\s\S]*?)^```$/gm)) found.set(m[2], m[1]);
  return found;
}
