// The set-up's real codex releases (scripts/wine/codex-releases.sh): every protocol version 1-6 and
// both version-6 shapes are there, each with its runner and setup helper on disk. The versions
// themselves are proven by running each runner (sessions.test.ts finds them with `auto`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { PROTOCOL_VERSIONS } from '../../../src/protocol/versions';
import { codexReleases, RELEASE_SHAPES } from '../../helpers/codex-releases';

test('the cached codex releases cover every protocol version and shape, both binaries each', () => {
  const releases = codexReleases();
  assert.deepEqual([...new Set(releases.map((r) => r.version))].sort(), [...PROTOCOL_VERSIONS].sort());
  assert.deepEqual([...new Set(releases.map((r) => r.shape))].sort(), [...RELEASE_SHAPES].sort());
  for (const r of releases) {
    // Real executables, not empty leftovers of a cut download (the smallest runner is ~0.7 MB).
    assert.ok(statSync(r.runner).size > 100_000, `${r.runner} is too small to be a runner`);
    assert.ok(statSync(r.setupHelper).size > 100_000, `${r.setupHelper} is too small to be codex's setup helper`);
  }
});
