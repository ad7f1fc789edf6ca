// A Windows console program for the ConPTY tests (run by node.exe inside the pseudo console). It
// talks to its console through CONIN$/CONOUT$ opened by name: under Wine 8 a pseudo console child's
// std handles point at another console (see the report in conpty.test.ts), the named devices do not.
// Prints its window size, then a line per size change; echoes each line read as `read <json>`;
// the line "exit N" ends it with code N.
import type koffiModule from 'koffi';

const koffi = require('koffi') as typeof koffiModule;
const k32 = koffi.load('kernel32.dll');
const CreateFileW = k32.func('intptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, intptr_t template)');
const WriteConsoleW = k32.func('int __stdcall WriteConsoleW(intptr_t console, const char16_t *text, uint32_t length, _Out_ uint32_t *written, void *reserved)');
const ReadConsoleW = k32.func('int __stdcall ReadConsoleW(intptr_t console, _Out_ uint8_t *buffer, uint32_t length, _Out_ uint32_t *read, void *control)');
const GetConsoleScreenBufferInfo = k32.func('int __stdcall GetConsoleScreenBufferInfo(intptr_t console, _Out_ uint8_t *info)');

const GENERIC_READ_WRITE = 0xc0000000;
const FILE_SHARE_READ_WRITE = 3;
const OPEN_EXISTING = 3;
const output = CreateFileW('CONOUT$', GENERIC_READ_WRITE, FILE_SHARE_READ_WRITE, null, OPEN_EXISTING, 0, 0) as number;
const input = CreateFileW('CONIN$', GENERIC_READ_WRITE, FILE_SHARE_READ_WRITE, null, OPEN_EXISTING, 0, 0) as number;

function say(text: string): void {
  WriteConsoleW(output, `${text}\r\n`, text.length + 2, [0], null);
}

/** The window (srWindow) as COLSxROWS. */
function windowSize(): string {
  const info = Buffer.alloc(22);
  if (!GetConsoleScreenBufferInfo(output, info)) return 'unknown';
  return `${info.readInt16LE(14) - info.readInt16LE(10) + 1}x${info.readInt16LE(16) - info.readInt16LE(12) + 1}`;
}

say(`size ${windowSize()}`);
let last = windowSize();
// ReadConsoleW blocks this thread; the size is checked between lines and reported once seen.
for (;;) {
  const buffer = Buffer.alloc(1024);
  const read: [number] = [0];
  if (!ReadConsoleW(input, buffer, 512, read, null)) process.exit(3);
  const now = windowSize();
  if (now !== last) say(`resized ${now}`);
  last = now;
  const line = buffer.subarray(0, read[0] * 2).toString('utf16le');
  say(`read ${JSON.stringify(line)}`);
  const exit = /^\s*exit (\d+)/.exec(line); // Wine hands the "\n" of "\r\n" to the next read
  if (exit) process.exit(Number(exit[1]));
}
