// A node.exe child for the job-child tests. `mode` says how it starts a grandchild node.exe:
//   nested     child_process.spawn (libuv puts it in a job of its own, nested in ours)
//   nested-twice  the same, and that grandchild starts the great-grandchild that writes the pid:
//              libuv's job lets it break away silently, ours must not
//   detached   child_process.spawn with `detached` (DETACHED_PROCESS, in no job of libuv's)
//   breakaway  CreateProcessW with CREATE_BREAKAWAY_FROM_JOB (koffi): asks to leave every job
// The grandchild (the last of the chain) writes its own pid to `pidFile` (so it has surely run);
// then this prints `grandchild <pid>` and idles. A refused CreateProcessW prints `refused <Win32 error>`.
// Mode `handle <value>` instead writes `LEAKED` to handle `value` (the test's inheritable pipe end,
// which must not have been inherited) and exits.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type koffiModule from 'koffi';
import { windowsCommandLine } from '../../../src/os/win32/windows-command-line';

const [mode, arg] = process.argv.slice(2);
const koffi = () => require('koffi') as typeof koffiModule;
setInterval(() => {}, 60_000); // idle until killed

if (mode === 'handle') {
  const kernel32 = koffi().load('kernel32.dll');
  const WriteFile = kernel32.func('int __stdcall WriteFile(intptr_t handle, const char *data, uint32_t size, _Out_ uint32_t *written, void *overlapped)');
  // If the handle was inherited, this lands in the test's pipe; if not, the value is free or names
  // one of this process's own handles (node duplicates its std handles), and it lands there.
  WriteFile(Number(arg), 'LEAKED', 6, [0], null);
  process.exit(0);
}

const pidFile = arg!;
const grandchild = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 60000);`;
if (mode === 'nested') {
  spawn(process.execPath, ['-e', grandchild], { stdio: 'ignore' });
} else if (mode === 'nested-twice') {
  const starter = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' }); setInterval(() => {}, 60000);`;
  spawn(process.execPath, ['-e', starter], { stdio: 'ignore' });
} else if (mode === 'detached') {
  spawn(process.execPath, ['-e', grandchild], { stdio: 'ignore', detached: true }).unref();
} else if (mode === 'breakaway') {
  const kernel32 = koffi().load('kernel32.dll');
  const CreateProcessW = kernel32.func(
    'int __stdcall CreateProcessW(const char16_t *app, uint8_t *cmd, void *pa, void *ta, int inherit, uint32_t flags, void *env, void *cwd, uint8_t *si, _Out_ uint8_t *pi)',
  );
  const GetLastError = kernel32.func('uint32_t __stdcall GetLastError(void)');
  const CREATE_BREAKAWAY_FROM_JOB = 0x01000000;
  const CREATE_NO_WINDOW = 0x08000000;
  const startupInfo = Buffer.alloc(104);
  startupInfo.writeUInt32LE(104, 0);
  const processInfo = Buffer.alloc(24);
  const line = Buffer.from(`${windowsCommandLine(process.execPath, ['-e', grandchild])}\0`, 'utf16le');
  if (!CreateProcessW(process.execPath, line, null, null, 0, CREATE_BREAKAWAY_FROM_JOB | CREATE_NO_WINDOW, null, null, startupInfo, processInfo)) {
    console.log(`refused ${GetLastError()}`);
  }
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}

const waitForPid = setInterval(() => {
  if (!existsSync(pidFile)) return;
  const pid = readFileSync(pidFile, 'utf8');
  if (!pid) return;
  clearInterval(waitForPid);
  console.log(`grandchild ${pid}`);
}, 20);
