// A failed Win32 call as an Error that names the call, the code and what the code means.
import { win32 } from './win32-api';

// For when FormatMessageW has no text (Wine lacks some message tables), fails itself, or this is
// not Windows (a Linux parent describing a Windows runner's error code).
const KNOWN_ERRORS: Record<number, string> = {
  2: 'The system cannot find the file specified.',
  3: 'The system cannot find the path specified.',
  5: 'Access is denied.',
  6: 'The handle is invalid.',
  87: 'The parameter is incorrect.',
  122: 'The data area passed to a system call is too small.',
  123: 'The filename, directory name, or volume label syntax is incorrect.',
  231: 'All pipe instances are busy.',
  232: 'The pipe is being closed.',
  233: 'No process is on the other end of the pipe.',
  267: 'The directory name is invalid.',
  535: 'There is a process on other end of the pipe.',
  995: 'The I/O operation has been aborted because of either a thread exit or an application request.',
  996: 'Overlapped I/O event is not in a signaled state.',
  997: 'Overlapped I/O operation is in progress.',
  1056: 'An instance of the service is already running.',
  1312: 'A specified logon session does not exist. It may already have been terminated.',
  1326: 'The user name or password is incorrect.',
  1332: 'No mapping between account names and security IDs was done.',
  1385: 'Logon failure: the user has not been granted the requested logon type at this computer.',
  1909: 'The referenced account is currently locked out and may not be logged on to.',
};

const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;

/** The system's text for a Win32 error code, or the fallback table's. */
export function describeWin32Error(code: number): string {
  if (process.platform !== 'win32') return KNOWN_ERRORS[code] ?? 'Unknown error.';
  try {
    const chars = 512;
    const buffer = Buffer.alloc(chars * 2);
    const n = win32().FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, null, code, 0, buffer, chars, null);
    const text = buffer.toString('utf16le', 0, n * 2).trim();
    if (text) return text;
  } catch {
    // fall through to the table
  }
  return KNOWN_ERRORS[code] ?? 'Unknown error.';
}

export class Win32Error extends Error {
  override readonly name = 'Win32Error';
  constructor(
    readonly call: string,
    readonly code: number,
  ) {
    // Code 0: the call reported failure without saying why (Wine's stubs do this).
    super(code === 0 ? `${call} failed without setting an error code` : `${call} failed: error ${code} (${describeWin32Error(code)})`);
  }
}

/**
 * The error of a call that just reported failure. Call it only then: Wine (and at times Windows)
 * leaves the last error of an earlier call in place after a success.
 */
export function lastWin32Error(call: string): Win32Error {
  return new Win32Error(call, win32().GetLastError());
}
