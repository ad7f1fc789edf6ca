// The real codex releases the set-up fetched (scripts/wine/codex-releases.sh, listed in
// scripts/wine/codex-releases.txt): their runner and setup helper, with the protocol version and
// shape each one speaks. A release on the list whose files are missing is a broken set-up, so this
// throws (naming the file and the fix) instead of letting a test skip.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isProtocolVersion, type ProtocolVersion } from '../../src/protocol/versions';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const CODEX_RELEASES_LIST = path.join(repoRoot, 'scripts', 'wine', 'codex-releases.txt');
export const CODEX_RELEASES_CACHE = path.join(repoRoot, '.cache', 'codex-releases');

export const RELEASE_SHAPES = ['v1-early', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6-A', 'v6-B'] as const;
export type ReleaseShape = (typeof RELEASE_SHAPES)[number];

export interface CodexRelease {
  /** e.g. "0.171.0" */
  release: string;
  version: ProtocolVersion;
  shape: ReleaseShape;
  /** codex-command-runner.exe of that release */
  runner: string;
  /** codex-windows-sandbox-setup.exe of that release */
  setupHelper: string;
}

function parseList(): CodexRelease[] {
  const lines = readFileSync(CODEX_RELEASES_LIST, 'utf8').split(/\r?\n/);
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [release, version, shape] = line.split(/\s+/);
      const v = Number(version);
      if (!release || !isProtocolVersion(v) || !(RELEASE_SHAPES as readonly string[]).includes(shape ?? '')) {
        throw new Error(`${CODEX_RELEASES_LIST}: bad line "${line}" (want: <release> <version 1-6> <${RELEASE_SHAPES.join('|')}>)`);
      }
      const dir = path.join(CODEX_RELEASES_CACHE, release);
      return {
        release,
        version: v,
        shape: shape as ReleaseShape,
        runner: path.join(dir, 'codex-command-runner.exe'),
        setupHelper: path.join(dir, 'codex-windows-sandbox-setup.exe'),
      };
    });
}

/** Every listed release, each checked to be on disk. */
export function codexReleases(): CodexRelease[] {
  const releases = parseList();
  for (const r of releases) {
    for (const file of [r.runner, r.setupHelper]) {
      if (!existsSync(file)) {
        throw new Error(`codex release ${r.release}: ${file} is missing; the set-up fetches it: bash scripts/setup.sh (or bash scripts/wine/codex-releases.sh)`);
      }
    }
  }
  return releases;
}

/** One listed release by its number (throws when it is not listed or not on disk). */
export function codexRelease(release: string): CodexRelease {
  const found = codexReleases().find((r) => r.release === release);
  if (!found) throw new Error(`codex release ${release} is not in ${CODEX_RELEASES_LIST}`);
  return found;
}

/** The newest listed release of a shape (e.g. 'v6-B'). */
export function codexReleaseOfShape(shape: ReleaseShape): CodexRelease {
  const found = codexReleases().filter((r) => r.shape === shape).at(-1);
  if (!found) throw new Error(`no codex release of shape ${shape} in ${CODEX_RELEASES_LIST}`);
  return found;
}
