import { randomBytes } from 'node:crypto';

/** 128 random bits from the CSPRNG as 32 lower-case hex digits (upstream's `{nonce:x}` of a u128). */
export function pipeNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Upstream's names: `\\.\pipe\codex-runner-<nonce>-in` and `-out`. */
export function windowsPipeNames(nonce = pipeNonce()): { in: string; out: string } {
  const base = `\\\\.\\pipe\\codex-runner-${nonce}`;
  return { in: `${base}-in`, out: `${base}-out` };
}
