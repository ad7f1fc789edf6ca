// Tests whose premise is POSIX (sh and coreutils as commands, /proc, Unix sockets, signals, POSIX
// paths in messages) skip themselves on Windows and say why. Their Windows counterparts are in
// test/win32/, which runs with the Windows node.exe (under Wine here, natively on Windows).

/** A skip reason on Windows, `false` elsewhere: `test(name, { skip: posixOnly('runs sh') }, fn)`. */
export function posixOnly(why: string): string | false {
  return process.platform === 'win32' ? `POSIX only: ${why}` : false;
}
