// Terminal sizes from the wire: u16 on the protocol, and a terminal of 0 columns or rows is
// meaningless (ConPTY refuses it with E_INVALIDARG), so 0 is an error too.
import type { TtySize } from './pty-process';

export function checkTtySize(cols: number, rows: number): TtySize {
  for (const [name, v] of [['cols', cols], ['rows', rows]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw new RangeError(`tty ${name} must be an integer 1..65535, got ${v}`);
  }
  return { cols, rows };
}
