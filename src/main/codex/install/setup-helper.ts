// Where codex's sandbox setup helper is taken from, as codex's parent takes it (setup.rs
// find_setup_exe -> bundled_executable_path_for_exe): beside codex.exe, in the install's
// codex-resources, then by bare name on PATH. Newer trees launch a copy in `<codexHome>/.sandbox-bin`
// made from that same source (helper_materialization.rs resolve_exe_for_launch); 0.171.0 under Wine
// launched the install's own file and left `.sandbox-bin` empty. So: the setupHelper option; the
// install's helper; beside the runner (codex-resources holds both); the codex home's copy; PATH.
import * as path from 'node:path';
import { sandboxBinDir } from '../../launch/materialize-runner';
import { bundledCandidates, isFile, RESOURCES_DIR, SETUP_HELPER_EXE } from './bundled-executable';
import type { CodexInstall } from './find-codex-install';
import { placesLooked } from './places-looked';

export interface FindSetupHelperOptions {
  /** The setupHelper option: the only place looked when given. */
  explicit?: string;
  install?: CodexInstall;
  /** The runner file the session launches. */
  runnerFile?: string;
  codexHome: string;
  env?: NodeJS.ProcessEnv;
}

/** `found`: the helper to run; `looked`: every place looked, in order. */
export async function findSetupHelper(o: FindSetupHelperOptions): Promise<{ found?: string; looked: string[] }> {
  const places: string[] = [];
  if (o.explicit !== undefined) places.push(o.explicit);
  else {
    if (o.install?.setupHelper) places.push(o.install.setupHelper);
    if (o.install?.codexExe) places.push(...bundledCandidates(o.install.codexExe, SETUP_HELPER_EXE));
    if (o.install) places.push(path.join(o.install.root, RESOURCES_DIR, SETUP_HELPER_EXE));
    if (o.runnerFile) places.push(path.join(path.dirname(o.runnerFile), SETUP_HELPER_EXE));
    places.push(path.join(sandboxBinDir(o.codexHome), SETUP_HELPER_EXE));
    const env = o.env ?? process.env;
    const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '' && path.isAbsolute(d));
    places.push(...dirs.map((d) => path.join(d, SETUP_HELPER_EXE)));
  }
  const looked = [...new Set(places)];
  for (const candidate of looked) if (await isFile(candidate)) return { found: candidate, looked };
  return { looked };
}

export interface ElevatedHelperChoice {
  found?: string;
  /** Every place looked, in order (only the option, or the install's own places). */
  looked: string[];
  /** Why there is none, without the places (they are in `looked`). */
  why?: string;
}

/**
 * The helper setupSandbox runs elevated: the setupHelper option, else the install's own (as
 * bundledCandidates finds it beside codex.exe or in codex-resources). Unlike the refresh above,
 * never `.sandbox-bin` (a copy in a folder the user's processes write) nor PATH: what is found
 * here runs as an administrator. (Upstream's run_setup_exe falls back to the bare file name, which
 * ShellExecuteExW then searches for on PATH; this module does not.)
 */
export async function elevatedSetupHelper(o: { explicit?: string; install?: CodexInstall }): Promise<ElevatedHelperChoice> {
  const places: string[] = [];
  if (o.explicit !== undefined) places.push(o.explicit);
  else if (o.install) {
    if (o.install.setupHelper) places.push(o.install.setupHelper);
    if (o.install.codexExe) places.push(...bundledCandidates(o.install.codexExe, SETUP_HELPER_EXE));
    places.push(path.join(o.install.root, RESOURCES_DIR, SETUP_HELPER_EXE));
  }
  const looked = [...new Set(places)];
  for (const candidate of looked) if (await isFile(candidate)) return { found: candidate, looked };
  const why =
    o.explicit !== undefined
      ? `the setupHelper option names ${o.explicit}, which is not a file`
      : o.install
        ? `codex's install at ${o.install.root} (${o.install.foundBy}) has no ${SETUP_HELPER_EXE} beside codex.exe or in ${RESOURCES_DIR}`
        : `no codex install was found to take ${SETUP_HELPER_EXE} from (a helper on PATH or in .sandbox-bin is not run elevated)`;
  return { looked, why: o.explicit !== undefined || looked.length === 0 ? why : `${why} (${placesLooked(looked.length)})` };
}
