import Table from 'cli-table3';
import { strlen } from 'cli-table3/src/utils.js';
import type { Colors } from './colors.js';

/** A column of a table. */
export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Wrap the column's cells to this width (characters). */
  readonly width?: number;
}

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * Rows laid out by one cli-table3 table. Its layout checks every cell against every
 * cell of the rows above it (quadratic: 1000 rows took 0.27 s, 10 000 rows 6 s), so
 * long tables are drawn in slices of this many rows with the column widths
 * fixed for all of them.
 */
export const ROWS_PER_SLICE = 50;

/**
 * A borderless table (columns two spaces apart, bold headers when colour is on).
 * Cells must already be escaped: this is where log text meets the terminal layout.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], colors: Colors): string {
  const head = columns.map((c) => colors.bold(c.header));
  // The widths cli-table3 would choose for the whole table: the widest cell of each column.
  const colWidths = columns.map(
    (c, i) => c.width ?? rows.reduce((widest, row) => Math.max(widest, strlen(row[i] ?? '')), strlen(head[i] ?? '')),
  );
  const slices: string[] = [];
  for (let start = 0; start === 0 || start < rows.length; start += ROWS_PER_SLICE) {
    const table = new Table({
      head: start === 0 ? head : [],
      chars: NO_BORDERS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      colAligns: columns.map((c) => c.align ?? 'left'),
      colWidths,
      wordWrap: true,
    });
    for (const row of rows.slice(start, start + ROWS_PER_SLICE)) table.push([...row]);
    slices.push(table.toString());
  }
  return slices
    .join('\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
