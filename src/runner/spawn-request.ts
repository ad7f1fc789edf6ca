// The runner's reading of the first frame: the spawn request, in whichever protocol version the
// parent chose. Unpinned, this runner speaks every version it knows and answers in the request's.
// Pinned (`--protocol=N`) it behaves as upstream's runner built for N: deserialize with N's struct
// (missing required fields fail), then compare the version and refuse any other.
import { checkSpawnRequest, describe, ProtocolError, type SpawnRequest } from '../protocol/messages';
import { isRestrictedProfile, isRestrictedV1Policy, type PermissionProfile } from '../protocol/permissions';
import { isProtocolVersion, NEWEST_PROTOCOL_VERSION, type ProtocolVersion } from '../protocol/versions';

export interface AcceptedRequest {
  version: ProtocolVersion;
  request: SpawnRequest;
}

/** Why the request was refused, and in which version the refusal is said (the runner's own). */
export interface RefusedRequest {
  replyVersion: ProtocolVersion;
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readSpawnRequest(value: unknown, pinned: ProtocolVersion | undefined): AcceptedRequest | RefusedRequest {
  const refuse = (message: string, replyVersion: ProtocolVersion = pinned ?? NEWEST_PROTOCOL_VERSION): RefusedRequest => ({ replyVersion, message });
  if (!isObj(value)) return refuse(`runner: bad spawn request: frame is not a JSON object (got ${describe(value)})`);
  if (value.type !== 'spawn_request') return refuse(`runner: expected spawn_request, got ${describe(value.type)}`);
  if (!isObj(value.payload)) return refuse(`runner: bad spawn request: "payload" must be an object (got ${describe(value.payload)})`);
  const sent = value.version;
  // Upstream's words exactly: "runner: unsupported protocol version 6".
  const unsupported = `runner: unsupported protocol version ${typeof sent === 'number' ? sent : describe(sent)}`;
  // Upstream deserializes the whole frame with its own struct before it looks at the version.
  const parseAs = pinned ?? (isProtocolVersion(sent) ? sent : undefined);
  if (parseAs === undefined) return refuse(unsupported);
  let request: SpawnRequest;
  try {
    request = checkSpawnRequest(value.payload, parseAs);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return refuse(`runner: bad spawn request: ${err.message}`, parseAs);
  }
  if (sent !== parseAs) return refuse(unsupported, parseAs);
  return { version: parseAs, request };
}

/**
 * The permission profile the request asks for, read as a sandbox would: true when anything would
 * have to be enforced (all but full access or an external sandbox).
 */
export function requestsSandbox(request: SpawnRequest): boolean {
  if (typeof request.policy_json_or_preset === 'string') return isRestrictedV1Policy(request.policy_json_or_preset);
  if (isObj(request.permission_profile)) return isRestrictedProfile(request.permission_profile as PermissionProfile);
  return true;
}
