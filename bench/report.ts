// Turns measured keys into the printed table; one row per key, with its target and verdict.
export interface Row {
  key: string;
  value: number | undefined;
  /** Plain words: the measurement and its baseline. */
  detail: string;
  target?: { op: '>=' | '<=' | '=='; value: number };
  skipped?: string;
}

export function verdict(row: Row): string {
  if (row.value === undefined) return 'skipped';
  if (!row.target) return '-';
  const { op, value } = row.target;
  const met = op === '>=' ? row.value >= value : op === '<=' ? row.value <= value : row.value === value;
  return met ? 'met' : 'MISSED';
}

function format(value: number | undefined): string {
  if (value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
}

/** A Markdown table: readable in a terminal and pasteable into BENCHMARKS.md. */
export function table(rows: readonly Row[]): string {
  const lines = [['key', 'result', 'target', 'verdict', 'measured as'], ...rows.map((r) => [
    r.key,
    format(r.value),
    r.target ? `${r.target.op} ${r.target.value}` : '-',
    verdict(r),
    r.skipped ? `skipped: ${r.skipped}` : r.detail,
  ])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(lines[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(render)].join('\n');
}
