// The order of runner file versions: semver precedence with pre-releases, numbers as numbers,
// dev builds (`<size>-<mtime hex>`) older than every release and ordered by mtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRunnerVersions, parseRunnerVersion, runnerSuffixOf } from '../../src/main/codex/home/runner-version';

function sorted(texts: string[]): string[] {
  const parsed = texts.map((t) => {
    const v = parseRunnerVersion(t);
    assert.ok(v, `${t} parses`);
    return v;
  });
  return parsed.sort(compareRunnerVersions).map((v) => v.text);
}

test("semver.org's own precedence example comes out in order, from any starting order", () => {
  const expected = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
  assert.deepEqual(sorted([...expected].reverse()), expected);
  assert.deepEqual(sorted([expected[3]!, expected[7]!, expected[0]!, expected[5]!, expected[1]!, expected[6]!, expected[2]!, expected[4]!]), expected);
});

test('numeric parts compare as numbers, a pre-release before its release (0.130.0-alpha.5 < 0.130.0)', () => {
  assert.deepEqual(sorted(['0.130.0', '0.129.10', '0.130.0-alpha.5', '0.129.9', '0.130.0-alpha.10', '0.99.0', '10.0.0', '2.0.0']), [
    '0.99.0',
    '0.129.9',
    '0.129.10',
    '0.130.0-alpha.5',
    '0.130.0-alpha.10',
    '0.130.0',
    '2.0.0',
    '10.0.0',
  ]);
  // Past 2^53: still exact.
  assert.deepEqual(sorted(['0.0.9007199254740993', '0.0.9007199254740992']), ['0.0.9007199254740992', '0.0.9007199254740993']);
});

test('dev builds are older than any release and ordered by their mtime, not their size', () => {
  const newer = `100-${(0x66000000).toString(16)}`;
  const older = `999999-${(0x65000000).toString(16)}`;
  assert.deepEqual(sorted(['0.0.1-alpha', newer, '0.1.0', older]), [older, newer, '0.0.1-alpha', '0.1.0']);
  const dev = parseRunnerVersion('2097152-6650a1b2');
  assert.deepEqual(dev, { kind: 'dev-build', text: '2097152-6650a1b2', size: 2097152n, mtimeSeconds: 0x6650a1b2n });
});

test('build metadata does not change precedence; ties still order the same way every time', () => {
  const a = parseRunnerVersion('1.2.3+build.5')!;
  const b = parseRunnerVersion('1.2.3+build.7')!;
  assert.equal(a.kind, 'release');
  assert.equal(compareRunnerVersions(a, parseRunnerVersion('1.2.4')!), -1);
  assert.equal(Math.sign(compareRunnerVersions(a, b)), -Math.sign(compareRunnerVersions(b, a)));
});

test('suffixes that are neither a release nor a dev build are not versions', () => {
  for (const text of ['1.2', '01.2.3', '1.2.3-', '1.2.3-01', 'latest', '123-XYZ', '123-', '-abc', '1.2.3.4', ' 1.2.3', '']) {
    assert.equal(parseRunnerVersion(text), null, text);
  }
});

test('runner file names: the suffix of codex-command-runner-<suffix>.exe, in any case', () => {
  assert.equal(runnerSuffixOf('codex-command-runner-0.158.0.exe'), '0.158.0');
  assert.equal(runnerSuffixOf('Codex-Command-Runner-0.130.0-alpha.5.EXE'), '0.130.0-alpha.5');
  assert.equal(runnerSuffixOf('codex-command-runner.exe'), null);
  assert.equal(runnerSuffixOf('codex-command-runner-0.158.0.exe.4242.1700000000000.tmp'), null);
  assert.equal(runnerSuffixOf('.tmpA1b2C3'), null);
  assert.equal(runnerSuffixOf('codex-windows-sandbox-setup.exe'), null);
});
