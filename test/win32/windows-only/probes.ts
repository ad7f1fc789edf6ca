// Scripts the throwaway users run (node.exe -e), talking to Windows through koffi themselves.
// Arguments: <resultFile> <nodeModules> [...]; each writes one JSON object to resultFile, naming
// the account it ran as.

/**
 * Opens a runner pipe pair as a runner's client would, with the access each pipe allows (pipe-in is
 * read by the client, pipe-out written; asking for more is refused whatever the DACL says). Result:
 * `{ user, pid, in, out }`, each the Win32 error of CreateFileW or 0 when it opened. When both
 * opened it holds them until killed (at most two minutes).
 */
export const PIPE_OPEN_PROBE = `
const fs = require('fs');
const [resultFile, modules, ...rest] = process.argv.slice(1);
const arg = (name) => (rest.find((a) => a.startsWith('--' + name + '=')) || '').slice(name.length + 3);
const report = (r) => fs.writeFileSync(resultFile, JSON.stringify({ user: require('os').userInfo().username, pid: process.pid, ...r }));
try {
  const koffi = require(require('path').join(modules, 'koffi'));
  const k32 = koffi.load('kernel32.dll');
  const CreateFileW = k32.func('intptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, intptr_t template)');
  const GetLastError = k32.func('uint32_t __stdcall GetLastError(void)');
  const OPEN_EXISTING = 3, GENERIC_READ = 0x80000000, GENERIC_WRITE = 0x40000000;
  const open = (name, access) => { const h = CreateFileW(name, access, 0, null, OPEN_EXISTING, 0, 0); return h === -1 || h === 0 ? (GetLastError() || -1) : 0; };
  const result = { in: open(arg('pipe-in'), GENERIC_READ), out: open(arg('pipe-out'), GENERIC_WRITE) };
  report(result);
  if (result.in === 0 && result.out === 0) setTimeout(() => process.exit(0), 120000);
} catch (e) {
  report({ crash: String((e && e.stack) || e) });
  process.exitCode = 1;
}
`;

/**
 * CryptUnprotectData on each blob file given (as codex's runner side does, UI forbidden). Result:
 * `{ user, pid, results: [{ file, plainHex } | { file, error }] }`.
 */
export const DPAPI_UNPROTECT_PROBE = `
const fs = require('fs');
const [resultFile, modules, ...rest] = process.argv.slice(1);
const files = rest.filter((a) => !a.startsWith('--pipe-'));
const report = (r) => fs.writeFileSync(resultFile, JSON.stringify({ user: require('os').userInfo().username, pid: process.pid, ...r }));
try {
  const koffi = require(require('path').join(modules, 'koffi'));
  const k32 = koffi.load('kernel32.dll');
  const crypt32 = koffi.load('crypt32.dll');
  koffi.struct('DATA_BLOB', { cbData: 'uint32_t', pbData: 'void *' });
  const CryptUnprotectData = crypt32.func('int __stdcall CryptUnprotectData(const DATA_BLOB *dataIn, void *description, const DATA_BLOB *entropy, void *reserved, void *prompt, uint32_t flags, _Out_ DATA_BLOB *dataOut)');
  const GetLastError = k32.func('uint32_t __stdcall GetLastError(void)');
  const RtlMoveMemory = k32.func('void __stdcall RtlMoveMemory(_Out_ uint8_t *destination, const void *source, size_t length)');
  const LocalFree = k32.func('void * __stdcall LocalFree(void *mem)');
  const results = files.map((file) => {
    const blob = fs.readFileSync(file);
    const out = { cbData: 0, pbData: null };
    if (!CryptUnprotectData({ cbData: blob.length, pbData: blob }, null, null, null, null, 1, out)) return { file, error: GetLastError() };
    const plain = Buffer.alloc(out.cbData);
    if (out.cbData > 0) RtlMoveMemory(plain, out.pbData, out.cbData);
    LocalFree(out.pbData);
    return { file, plainHex: plain.toString('hex') };
  });
  report({ results });
} catch (e) {
  report({ crash: String((e && e.stack) || e) });
  process.exitCode = 1;
}
`;
