// From session options to what every protocol version's spawn_request is built from, and the
// size check that keeps an oversized request from ever launching anything.
import * as path from 'node:path';
import { MAX_FRAME_LEN } from '../../protocol/framing';
import { resolvePermissions, v1PolicyPreset, type ResolvedPermissions } from '../../protocol/permissions';
import { NEWEST_PROTOCOL_VERSION, versionSpec, type SpawnInput } from '../../protocol/versions';
import { defaultCommandEnv } from './command-env';
import type { SessionConfig } from './session-options';

export interface PreparedSpawn {
  input: SpawnInput;
  permissions: ResolvedPermissions;
}

export function prepareSpawn(o: SessionConfig): PreparedSpawn {
  const cwd = o.cwd ?? process.cwd();
  const permissions = resolvePermissions(o.permissions);
  const input: SpawnInput = {
    command: [...o.command],
    cwd,
    env: o.env ? definedEntries(o.env) : defaultCommandEnv(),
    permissionProfile: permissions.profile,
    v1Policy: o.policy ?? v1PolicyPreset(permissions),
    workspaceRoots: o.workspaceRoots ? [...o.workspaceRoots] : [cwd],
    // Upstream's parent: codex_home is the runner's log folder <CODEX_HOME>/.sandbox, real_codex_home the home itself.
    codexHome: o.codexHome ? path.join(o.codexHome, '.sandbox') : '',
    realCodexHome: o.codexHome ?? '',
    capSids: o.capSids ? [...o.capSids] : [],
    realUserSid: null,
    networkProxyRestrictingSid: o.networkProxyRestrictingSid ?? null,
    privateDesktopName: o.privateDesktopName ?? null,
    timeoutMs: o.timeoutMs ?? null,
    tty: o.tty === true,
    stdinOpen: o.stdinOpen === true,
    usePrivateDesktop: o.usePrivateDesktop === true,
  };
  checkRequestSize(input);
  return { input, permissions };
}

/** JSON envelope around the payload: `{"version":6,"type":"spawn_request","payload":` ... `}`. */
const ENVELOPE_BYTES = '{"version":6,"type":"spawn_request","payload":}'.length;
const MiB = 1024 * 1024;
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/**
 * The request must fit one frame (upstream's 8 MiB, checked by both sides). Measured on the newest
 * version's shape, the largest; the error names the part that is too big.
 */
export function checkRequestSize(input: SpawnInput): void {
  const payload = versionSpec(NEWEST_PROTOCOL_VERSION).spawnRequest(input);
  const total = Buffer.byteLength(JSON.stringify(payload)) + ENVELOPE_BYTES;
  if (total <= MAX_FRAME_LEN) return;
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
  const parts: [string, number][] = [
    ['command', size(input.command)],
    ['env', size(input.env)],
    ['permissions', size(input.permissionProfile)],
    ['workspaceRoots', size(input.workspaceRoots)],
  ];
  const [part, bytes] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  let detail = '';
  if (part === 'command') {
    const i = input.command.reduce((best, arg, at) => (arg.length > input.command[best]!.length ? at : best), 0);
    detail = ` (argument ${i} alone is ${mib(size(input.command[i]))})`;
  } else if (part === 'env') {
    const [name, value] = Object.entries(input.env).reduce((a, b) => (b[1].length > a[1].length ? b : a));
    detail = ` (${name} alone is ${mib(size(value))})`;
  }
  throw new RangeError(`the spawn request would be ${mib(total)}, over the runner protocol's ${mib(MAX_FRAME_LEN)} frame limit: ${part} is ${mib(bytes)}${detail}`);
}

/** The names that have a value (`process.env` types its entries as possibly undefined). */
function definedEntries(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
