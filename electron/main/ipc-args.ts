// Argument checks for the renderer's requests. A renderer is less trusted than main: every value is
// checked for count, type and length against the kinds its channel declares (ipc-contract.ts)
// before it reaches the session manager.
import { MAX_SESSION_ID_LENGTH, type ArgKind, type ArgKinds, type ArgTypes } from '../common/ipc-contract';

export class IpcArgumentError extends Error {
  override name = 'IpcArgumentError';
}

/** Each kind: how a refusal names it, and its check (the value as its type, or a throw saying what is wrong). */
const KINDS: { [K in ArgKind]: { what: string; check(channel: string, value: unknown): ArgKinds[K] } } = {
  sessionId: {
    what: 'a session id',
    check(channel, id) {
      if (typeof id !== 'string') throw new IpcArgumentError(`${channel}: session id must be a string, got ${describe(id)}`);
      if (id.length === 0) throw new IpcArgumentError(`${channel}: session id is empty`);
      if (id.length > MAX_SESSION_ID_LENGTH) throw new IpcArgumentError(`${channel}: session id is ${id.length} characters, the limit is ${MAX_SESSION_ID_LENGTH}`);
      return id;
    },
  },
};

/** `args` as the channel declares them (`kinds`), or an IpcArgumentError naming the channel and what is wrong. */
export function checkArgs<K extends readonly ArgKind[]>(channel: string, kinds: K, args: readonly unknown[]): ArgTypes<K> {
  if (args.length !== kinds.length) {
    if (kinds.length === 0) throw new IpcArgumentError(`${channel} takes no arguments, got ${args.length}`);
    const count = kinds.length === 1 ? 'one argument' : `${kinds.length} arguments`;
    throw new IpcArgumentError(`${channel} takes exactly ${count} (${kinds.map((k) => KINDS[k].what).join(', ')}), got ${args.length}`);
  }
  return kinds.map((kind, i) => KINDS[kind].check(channel, args[i])) as ArgTypes<K>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
