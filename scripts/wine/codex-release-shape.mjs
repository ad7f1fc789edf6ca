// Prints which protocol version and shape a codex-command-runner.exe speaks, read from the
// serde strings rustc leaves in it (the request's field names, and the message types, each run
// together in one string). Run as
//   node codex-release-shape.mjs <codex-command-runner.exe>   ->  "<version> <shape>", e.g. "6 v6-B"
// Exit 1 when the strings are not there (not a runner, or a layout this does not know).
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2]).toString('latin1');

function classify() {
  // Fields common to every version, in declaration order, anchor the run of field names.
  const fields = /[a-z_]*real_codex_homecap_sids[a-z_]*/.exec(text)?.[0];
  const messageTypes = /spawn_request[a-z_]*spawn_ready[a-z_]*terminate/.exec(text)?.[0];
  if (!fields || !messageTypes) return { why: 'no SpawnRequest field names or message types found' };
  const has = (name) => fields.includes(name);
  if (has('policy_json_or_preset')) {
    return messageTypes.includes('close_stdin') ? { version: 1, shape: 'v1' } : { version: 1, shape: 'v1-early' };
  }
  if (has('permission_profile_cwd')) return { version: 2, shape: 'v2' };
  if (!has('workspace_roots')) return { why: `unknown SpawnRequest fields: ${fields}` };
  // Version 4 changed only the error payload: {message, code} became {message, stage, windows_error_code}.
  if (!text.includes('windows_error_code')) return { version: 3, shape: 'v3' };
  if (!has('network_proxy_restricting_sid')) return { version: 4, shape: 'v4' };
  if (!has('private_desktop_name')) return { version: 5, shape: 'v5' };
  return has('use_private_desktop') ? { version: 6, shape: 'v6-A' } : { version: 6, shape: 'v6-B' };
}

const found = classify();
if (found.why) {
  console.error(`${process.argv[2]}: ${found.why}`);
  process.exit(1);
}
console.log(`${found.version} ${found.shape}`);
