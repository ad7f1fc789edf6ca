// The version in a materialized runner's file name, and their order. Upstream names the copy
// `codex-command-runner-<suffix>.exe`, the suffix being the crate version (CARGO_PKG_VERSION,
// which may carry a pre-release tag such as 0.130.0-alpha.5), or for dev builds (version
// 0.0.0) `<source size>-<source mtime in seconds, lowercase hex>` (openai/codex
// codex-rs/windows-sandbox-rs/src/helper_materialization.rs @ 05485c61495257a8d9b3a12f54b4308c63ad9ac1:
// materialized_file_name, helper_version_suffix, dev_build_suffix). Before that, the copy kept
// the source's name, `codex-command-runner.exe`.

export const RUNNER_STEM = 'codex-command-runner';
export const LEGACY_RUNNER_FILE = `${RUNNER_STEM}.exe`;

export type RunnerVersion =
  | { kind: 'release'; text: string; core: [bigint, bigint, bigint]; preRelease: string[] }
  | { kind: 'dev-build'; text: string; size: bigint; mtimeSeconds: bigint };

// semver.org's own pattern (build metadata allowed, ignored for order).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;
const DEV_BUILD = /^(\d+)-([0-9a-f]+)$/;
const VERSIONED_NAME = new RegExp(`^${RUNNER_STEM}-(.+)\\.exe$`, 'i');

/** A runner suffix as a version, or null when it is neither a release nor a dev build. */
export function parseRunnerVersion(text: string): RunnerVersion | null {
  const release = SEMVER.exec(text);
  if (release) {
    return { kind: 'release', text, core: [BigInt(release[1]!), BigInt(release[2]!), BigInt(release[3]!)], preRelease: release[4] ? release[4].split('.') : [] };
  }
  const dev = DEV_BUILD.exec(text);
  if (dev) return { kind: 'dev-build', text, size: BigInt(dev[1]!), mtimeSeconds: BigInt(`0x${dev[2]!}`) };
  return null;
}

/** The suffix of `codex-command-runner-<suffix>.exe` (any case, as Windows matches names), or null. */
export function runnerSuffixOf(fileName: string): string | null {
  return VERSIONED_NAME.exec(fileName)?.[1] ?? null;
}

/**
 * Negative when `a` is older. Releases by semver precedence (numbers as numbers, a pre-release
 * before its release); dev builds before every release, among themselves by mtime. Ties (only
 * build metadata or size differ) fall back to the text, so the order is total and stable.
 */
export function compareRunnerVersions(a: RunnerVersion, b: RunnerVersion): number {
  if (a.kind !== b.kind) return a.kind === 'dev-build' ? -1 : 1;
  let order: number;
  if (a.kind === 'dev-build' && b.kind === 'dev-build') {
    order = compareBig(a.mtimeSeconds, b.mtimeSeconds) || compareBig(a.size, b.size);
  } else if (a.kind === 'release' && b.kind === 'release') {
    order = compareBig(a.core[0], b.core[0]) || compareBig(a.core[1], b.core[1]) || compareBig(a.core[2], b.core[2]) || comparePreRelease(a.preRelease, b.preRelease);
  } else {
    order = 0;
  }
  return order || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

function comparePreRelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // no pre-release ranks higher
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareIdentifier(a[i]!, b[i]!);
    if (order) return order;
  }
  return a.length - b.length;
}

function compareIdentifier(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return compareBig(BigInt(a), BigInt(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1; // numeric identifiers rank lower
  return a < b ? -1 : a > b ? 1 : 0; // ASCII order
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
