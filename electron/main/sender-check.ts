// Only the app's own top frame, at the app's own origin, in one of the app's own windows may call
// the handlers: an iframe, a navigated-away page or another window could otherwise end sessions.
import type { IpcCaller } from './ipc-caller';

export interface SenderPolicy {
  /** The origin the panel is served from, e.g. `app://panel`. */
  origin: string;
  /** True for the contents ids of windows this module was registered for. */
  isAppContents(contentsId: number): boolean;
}

/** Returns why the caller is refused, or null when it is trusted. */
export function senderRefusal(caller: IpcCaller, policy: SenderPolicy): string | null {
  if (!policy.isAppContents(caller.contentsId)) return `sender ${caller.contentsId} is not one of the app's windows`;
  if (!caller.frame) return 'sender frame is gone';
  if (!caller.frame.isTop) return 'sender is not the top frame';
  const origin = originOf(caller.frame.url);
  if (origin !== policy.origin) return `sender origin ${origin ?? JSON.stringify(caller.frame.url)} is not ${policy.origin}`;
  return null;
}

/** `URL.origin` is the string "null" for custom schemes, so build scheme://host ourselves. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}
