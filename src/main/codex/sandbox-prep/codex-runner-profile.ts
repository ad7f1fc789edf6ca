// What codex's runner can run: it enforces only `managed` profiles with a `restricted` file
// system; full access (`disabled`), `external` and `unrestricted` it refuses at spawn_child, and
// upstream never sends them to it (full access runs without the sandbox). Refused here before
// anything starts, saying what to use instead.
import type { PermissionProfile } from '../../../protocol/permissions';

/** Why codex's runner cannot run this profile, or null when it can. */
export function codexRunnerRefusal(profile: PermissionProfile): string | null {
  const instead = "use permissions 'read-only', 'workspace-write' or a managed profile with a restricted file_system; to run with full access, use this package's runner (omit runner: 'codex')";
  const what =
    profile.type === 'disabled'
      ? 'full access (a "disabled" profile)'
      : profile.type === 'external'
        ? 'an "external" profile (a sandbox outside codex)'
        : profile.file_system.type === 'unrestricted'
          ? 'a profile with an "unrestricted" file system'
          : null;
  return what === null ? null : `codex's runner enforces only restricted profiles and refuses ${what}: ${instead}`;
}
