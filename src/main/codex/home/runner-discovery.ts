// Finds codex's own runner in a codex home: upstream copies it into `<CODEX_HOME>/.sandbox-bin`
// (readable by the sandbox users) as `codex-command-runner-<version>.exe` and launches the copy
// (openai/codex codex-rs/windows-sandbox-rs/src/helper_materialization.rs:
// resolve_helper_for_launch, helper_destination_for_source). Installs from before the version
// suffix left `codex-command-runner.exe` there.
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { CodexHomeError } from './codex-home-error';
import { resolveCodexHome, sandboxBinDir } from './codex-home-paths';
import { compareRunnerVersions, LEGACY_RUNNER_FILE, parseRunnerVersion, RUNNER_STEM, runnerSuffixOf, type RunnerVersion } from './runner-version';

export interface CodexRunnerFile {
  path: string;
  /** The version in the file name (a release such as `0.158.0`, or a dev build's `<size>-<mtime hex>`); null for the legacy name. */
  version: string | null;
  /** `named-version`: the file of `codexVersion`; `newest`: the newest versioned file; `legacy`: `codex-command-runner.exe`. */
  how: 'named-version' | 'newest' | 'legacy';
}

export interface CodexRunnerCandidate {
  path: string;
  fileName: string;
  /** The name's version suffix as written (null for the legacy name). */
  version: string | null;
  /** `unrecognized`: named like a runner, but the suffix is neither a release nor a dev build; never chosen. */
  kind: 'release' | 'dev-build' | 'legacy' | 'unrecognized';
}

export interface FindCodexRunnerOptions {
  /** The installed codex's version (its CARGO_PKG_VERSION, e.g. `0.158.0`): preferred when its file is there. */
  codexVersion?: string;
}

const LISTED_NAMES_MAX = 20;

/** The runner to launch: the one of `codexVersion` if present, else the newest versioned one, else the legacy name. */
export async function findCodexRunner(codexHome: string, options: FindCodexRunnerOptions = {}): Promise<CodexRunnerFile> {
  const { codexVersion } = options;
  if (codexVersion !== undefined && (typeof codexVersion !== 'string' || codexVersion.trim() === '')) {
    throw new TypeError('codexVersion must be a non-empty string when given');
  }
  const folder = sandboxBinDir(resolveCodexHome(codexHome));
  const scan = await scanFolder(folder, codexVersion);
  const versioned = scan.candidates.filter((c) => c.kind === 'release' || c.kind === 'dev-build');
  if (codexVersion !== undefined) {
    // Matched against what is in the folder, never joined into a path: a version cannot point elsewhere.
    const named = versioned.find((c) => c.version === codexVersion);
    if (named) return { path: named.path, version: named.version, how: 'named-version' };
  }
  const newest = versioned[0];
  if (newest) return { path: newest.path, version: newest.version, how: 'newest' };
  const legacy = scan.candidates.find((c) => c.kind === 'legacy');
  if (legacy) return { path: legacy.path, version: null, how: 'legacy' };
  throw new CodexHomeError('runner-not-found', `no codex runner in ${folder}: ${lookedFor(codexVersion)}; ${describeContents(scan)}. ${HOW_IT_GETS_THERE}`, { folder });
}

/** Every runner-named regular file in `.sandbox-bin`, newest first (releases, dev builds, legacy, unrecognized). */
export async function listCodexRunners(codexHome: string): Promise<CodexRunnerCandidate[]> {
  const folder = sandboxBinDir(resolveCodexHome(codexHome));
  return (await scanFolder(folder, undefined)).candidates;
}

const HOW_IT_GETS_THERE = 'Codex copies its runner there the first time it runs a command in the Windows sandbox.';

function lookedFor(codexVersion: string | undefined): string {
  const versioned = `${RUNNER_STEM}-<version>.exe (a release or dev build)`;
  return codexVersion !== undefined
    ? `looked for ${RUNNER_STEM}-${codexVersion}.exe (codex ${codexVersion}), which is not there, then any ${versioned}, then ${LEGACY_RUNNER_FILE}`
    : `looked for ${versioned}, then ${LEGACY_RUNNER_FILE}`;
}

interface FolderScan {
  candidates: CodexRunnerCandidate[];
  /** Everything else in the folder, described (leftover `.tmp` copies, folders, links, other files). */
  others: string[];
}

async function scanFolder(folder: string, codexVersion: string | undefined): Promise<FolderScan> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${(err as Error).message})`;
    throw new CodexHomeError('runner-not-found', `no codex runner: ${folder} ${what}; ${lookedFor(codexVersion)} there. ${HOW_IT_GETS_THERE}`, { folder }, { cause: err });
  }
  const found: Array<CodexRunnerCandidate & { parsed: RunnerVersion | null }> = [];
  const others: string[] = [];
  for (const entry of entries) {
    const name = entry.name;
    const suffix = runnerSuffixOf(name);
    const isLegacy = name.toLowerCase() === LEGACY_RUNNER_FILE;
    // Only regular files: not folders, not symbolic links (Dirent does not follow them). Partial
    // copies (upstream's `.tmpXXXXXX`, our `<name>.<pid>.<ms>.tmp`) never match the `.exe` name.
    if ((suffix === null && !isLegacy) || !entry.isFile()) {
      others.push(describeEntry(entry));
      continue;
    }
    const parsed = suffix === null ? null : parseRunnerVersion(suffix);
    const kind = isLegacy ? 'legacy' : parsed ? parsed.kind : 'unrecognized';
    found.push({ path: path.join(folder, name), fileName: name, version: suffix, kind, parsed });
  }
  found.sort(newestFirst);
  return { candidates: found.map(({ parsed: _parsed, ...candidate }) => candidate), others: others.sort() };
}

const KIND_RANK = { release: 0, 'dev-build': 0, legacy: 1, unrecognized: 2 } as const;

function newestFirst(a: CodexRunnerCandidate & { parsed: RunnerVersion | null }, b: CodexRunnerCandidate & { parsed: RunnerVersion | null }): number {
  const rank = KIND_RANK[a.kind] - KIND_RANK[b.kind];
  if (rank) return rank;
  if (a.parsed && b.parsed) return compareRunnerVersions(b.parsed, a.parsed);
  return a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0;
}

function describeEntry(entry: Dirent): string {
  if (entry.isDirectory()) return `${entry.name} (a folder)`;
  if (entry.isSymbolicLink()) return `${entry.name} (a symbolic link)`;
  if (!entry.isFile()) return `${entry.name} (not a regular file)`;
  return entry.name;
}

function describeContents(scan: FolderScan): string {
  const names = [
    ...scan.candidates.map((c) => `${c.fileName} (version not recognized)`), // only unrecognized ones get here
    ...scan.others,
  ];
  if (names.length === 0) return 'the folder is empty';
  const shown = names.slice(0, LISTED_NAMES_MAX).join(', ');
  return `the folder holds ${shown}${names.length > LISTED_NAMES_MAX ? ` and ${names.length - LISTED_NAMES_MAX} more` : ''}`;
}
