// STAND-IN until the i20-install branch lands its readiness (same path, same exported names and
// shapes, per the issue-20 contract); on merge, take that branch's file. It decides only what
// upstream's `sandbox_setup_is_complete` decides: the marker and the users file, at SETUP_VERSION.
import { CodexHomeError } from './codex-home-error';
import { readSandboxUsers, readSetupMarker } from './sandbox-setup-files';
import { SETUP_VERSION } from '../sandbox-prep/refresh-payload';

export interface SandboxReadiness {
  state: 'ready' | 'not_configured' | 'update_required';
  reasons: { code: string; message: string }[];
}

export async function sandboxReadiness(options: { codexHome: string; codexInstall?: string; networkRestricted?: boolean; proxyPorts?: number[]; allowLocalBinding?: boolean }): Promise<SandboxReadiness> {
  const reasons: SandboxReadiness['reasons'] = [];
  let markerMissing = false;
  try {
    const { marker, file } = await readSetupMarker(options.codexHome);
    if (marker.version !== SETUP_VERSION) reasons.push({ code: 'marker_version', message: `${file} is at setup version ${marker.version}, not ${SETUP_VERSION}` });
  } catch (err) {
    markerMissing = err instanceof CodexHomeError && err.problem === 'setup-missing';
    reasons.push({ code: markerMissing ? 'marker_missing' : 'marker_unreadable', message: (err as Error).message });
  }
  try {
    const { users, file } = await readSandboxUsers(options.codexHome);
    if (users.version !== SETUP_VERSION) reasons.push({ code: 'users_version', message: `${file} is at setup version ${users.version}, not ${SETUP_VERSION}` });
  } catch (err) {
    const missing = err instanceof CodexHomeError && err.problem === 'setup-missing';
    reasons.push({ code: missing ? 'users_missing' : 'users_unreadable', message: (err as Error).message });
  }
  if (reasons.length === 0) return { state: 'ready', reasons };
  return { state: markerMissing ? 'not_configured' : 'update_required', reasons };
}
