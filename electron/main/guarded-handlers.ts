// The one wrapper every request goes through, for every channel of the contract: first the sender
// (sender-check.ts), then the arguments against the kinds the channel declares (ipc-args.ts); only
// then the handler, with its arguments typed. Bad input gets a rejected promise with a specific message.
import { REQUEST_CHANNELS, RUNNER_PIPES_IPC, type RequestArgs, type RequestChannel, type RequestResult } from '../common/ipc-contract';
import { checkArgs } from './ipc-args';
import type { IpcCaller } from './ipc-caller';
import { senderRefusal, type SenderPolicy } from './sender-check';

export class SenderRefusedError extends Error {
  override name = 'SenderRefusedError';
}

/** A channel's handler: a trusted caller, arguments already checked. */
export type RequestHandler<C extends RequestChannel> = (caller: IpcCaller, ...args: RequestArgs<C>) => RequestResult<C> | Promise<RequestResult<C>>;
export type RequestHandlers = { [C in RequestChannel]: RequestHandler<C> };

/** A handler as ipcMain (or the e2e harness) calls it: any caller, the arguments as they came. */
export type GuardedHandler<C extends RequestChannel> = (caller: IpcCaller, args: readonly unknown[]) => Promise<RequestResult<C>>;
export type GuardedHandlers = { [C in RequestChannel]: GuardedHandler<C> };

export function guardHandlers(handlers: RequestHandlers, policy: SenderPolicy): GuardedHandlers {
  const guarded: Partial<Record<RequestChannel, unknown>> = {};
  for (const channel of REQUEST_CHANNELS) guarded[channel] = guard(channel, handlers, policy);
  return guarded as GuardedHandlers;
}

function guard<C extends RequestChannel>(channel: C, handlers: RequestHandlers, policy: SenderPolicy): GuardedHandler<C> {
  const handler: RequestHandler<C> = handlers[channel];
  const kinds = RUNNER_PIPES_IPC.requests[channel].args;
  return async (caller, args) => {
    const refusal = senderRefusal(caller, policy);
    if (refusal) throw new SenderRefusedError(`${channel} refused: ${refusal}`);
    // The compiler cannot follow C through the lookup of `kinds`: checkArgs gives exactly RequestArgs<C>.
    return handler(caller, ...(checkArgs(channel, kinds, args) as RequestArgs<C>));
  };
}
