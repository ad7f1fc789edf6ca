// Argument checks for the renderer's requests. A renderer is less trusted than main: every value is
// checked for type, count and length before it reaches the session manager.
import { MAX_SESSION_ID_LENGTH } from '../common/ipc-contract';

export class IpcArgumentError extends Error {
  override name = 'IpcArgumentError';
}

export function expectNoArgs(channel: string, args: readonly unknown[]): [] {
  if (args.length !== 0) throw new IpcArgumentError(`${channel} takes no arguments, got ${args.length}`);
  return [];
}

export function expectSessionId(channel: string, args: readonly unknown[]): [id: string] {
  if (args.length !== 1) throw new IpcArgumentError(`${channel} takes exactly one argument (a session id), got ${args.length}`);
  const id = args[0];
  if (typeof id !== 'string') throw new IpcArgumentError(`${channel}: session id must be a string, got ${describe(id)}`);
  if (id.length === 0) throw new IpcArgumentError(`${channel}: session id is empty`);
  if (id.length > MAX_SESSION_ID_LENGTH) throw new IpcArgumentError(`${channel}: session id is ${id.length} characters, the limit is ${MAX_SESSION_ID_LENGTH}`);
  return [id];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
