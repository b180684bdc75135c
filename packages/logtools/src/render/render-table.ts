import Table from 'cli-table3';
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
 * A borderless table (columns two spaces apart, bold headers when colour is on).
 * Cells must already be escaped: this is where log text meets the terminal layout.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], colors: Colors): string {
  const table = new Table({
    head: columns.map((c) => colors.bold(c.header)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: columns.map((c) => c.align ?? 'left'),
    colWidths: columns.map((c) => c.width ?? null),
    wordWrap: true,
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
