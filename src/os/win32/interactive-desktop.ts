// Whether a runner started as another user can start here. A process in session 0 (a service) or
// in a non-interactive window station (SSH's) gives the sandbox user no desktop it may use: the
// runner dies at start with 0xC0000142 (STATUS_DLL_INIT_FAILED), openai/codex #27265, #37722.
import { lazyApi, win32, type Out } from './win32-api';
import { lastWin32Error } from './win32-error';

interface StationApi {
  ProcessIdToSessionId(pid: number, session: Out<number>): number;
  /** A pseudo handle owned by the system: never closed. */
  GetProcessWindowStation(): number;
  GetUserObjectInformationW(object: number, index: number, info: Buffer, length: number, needed: Out<number>): number;
}

const stationApi = lazyApi<StationApi>((dll) => ({
  ProcessIdToSessionId: dll('kernel32.dll').func('int __stdcall ProcessIdToSessionId(uint32_t pid, _Out_ uint32_t *session)'),
  GetProcessWindowStation: dll('user32.dll').func('intptr_t __stdcall GetProcessWindowStation(void)'),
  GetUserObjectInformationW: dll('user32.dll').func('int __stdcall GetUserObjectInformationW(intptr_t object, int index, _Out_ uint8_t *info, uint32_t length, _Out_ uint32_t *needed)'),
}));

const UOI_NAME = 2;

export interface DesktopFacts {
  sessionId: number;
  windowStation: string;
  /** Set when a runner started as another user would die here; says why. */
  problem: string | null;
}

export function interactiveDesktopFacts(env: NodeJS.ProcessEnv = process.env): DesktopFacts {
  const api = stationApi();
  const session: [number] = [0];
  if (!api.ProcessIdToSessionId(win32().GetCurrentProcessId(), session)) throw lastWin32Error('ProcessIdToSessionId');
  const buffer = Buffer.alloc(512);
  const needed: [number] = [0];
  const station = api.GetUserObjectInformationW(api.GetProcessWindowStation(), UOI_NAME, buffer, buffer.length, needed)
    ? buffer.toString('utf16le').replace(/\0[\s\S]*$/, '')
    : '(unknown)';
  let problem: string | null = null;
  if (session[0] === 0) problem = 'this process runs in session 0 (as a service), where no interactive desktop exists';
  else if (station.toLowerCase() !== 'winsta0') problem = `this process runs in window station ${station}, not the interactive WinSta0`;
  else if (env.SSH_CONNECTION || env.SSH_CLIENT) problem = 'this process runs under an SSH logon, whose desktop another user may not use';
  return { sessionId: session[0], windowStation: station, problem };
}
