// How the setup helper gets its payload (upstream's launch_environment.rs): as its one argument, the
// base64 of the JSON; above 24,000 UTF-16 units, when the helper's release has it, through the
// environment instead: `--launch-payload-env` with CODEX_SANDBOX_LAUNCH_COUNT, CODEX_SANDBOX_LAUNCH_BYTES
// and CODEX_SANDBOX_LAUNCH_<i> chunks of at most 16 KiB (environment_transport.rs). The helper refuses
// any other variable of that prefix, so inherited ones are always removed, as upstream does.
import type { SetupHelperShape } from './setup-helper-shape';

export const LAUNCH_ENV_PREFIX = 'CODEX_SANDBOX_LAUNCH_';
/** launch_environment.rs `needs_environment`: more UTF-16 units than this go through the environment. */
export const ARGUMENT_LIMIT_UNITS = 24_000;
/** environment_transport.rs CHUNK_BYTES and MAX_BYTES. */
export const CHUNK_BYTES = 16 * 1024;
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Windows' command line is at most 32,767 units, the program's path included: leave it room. */
export const ARGUMENT_HARD_LIMIT_UNITS = 32_000;

export interface HelperLaunch {
  args: string[];
  env: NodeJS.ProcessEnv;
  transport: 'argument' | 'environment';
}

export class HelperPayloadTooLargeError extends Error {
  override readonly name = 'HelperPayloadTooLargeError';
}

/** The helper's arguments and environment for `payloadBase64` (plain logic: runs anywhere). */
export function helperLaunch(payloadBase64: string, shape: SetupHelperShape, baseEnv: NodeJS.ProcessEnv): HelperLaunch {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(baseEnv)) {
    if (!k.toUpperCase().startsWith(LAUNCH_ENV_PREFIX)) env[k] = v;
  }
  // base64 is ASCII: its length is its UTF-16 units and its UTF-8 bytes alike.
  if (payloadBase64.length <= ARGUMENT_LIMIT_UNITS) return { args: [payloadBase64], env, transport: 'argument' };
  if (!shape.envTransport) {
    if (payloadBase64.length <= ARGUMENT_HARD_LIMIT_UNITS) return { args: [payloadBase64], env, transport: 'argument' };
    throw new HelperPayloadTooLargeError(
      `the sandbox setup payload is ${payloadBase64.length} characters of base64, too long for a command line, and this release's setup helper has no --launch-payload-env (codex 0.171.0's has): fewer or shorter roots, or a newer codex`,
    );
  }
  if (payloadBase64.length > MAX_PAYLOAD_BYTES) {
    throw new HelperPayloadTooLargeError(`the sandbox setup payload is ${payloadBase64.length} bytes; codex's helper takes at most ${MAX_PAYLOAD_BYTES}`);
  }
  let count = 0;
  for (let start = 0; start < payloadBase64.length; start += CHUNK_BYTES) {
    env[`${LAUNCH_ENV_PREFIX}${count++}`] = payloadBase64.slice(start, start + CHUNK_BYTES);
  }
  env[`${LAUNCH_ENV_PREFIX}COUNT`] = String(count);
  env[`${LAUNCH_ENV_PREFIX}BYTES`] = String(payloadBase64.length);
  return { args: ['--launch-payload-env'], env, transport: 'environment' };
}
