import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import { renderTable, ROWS_PER_SLICE, type Column } from './render-table.js';

const COLUMNS: readonly Column[] = [
  { header: 'time' },
  { header: 'n', align: 'right' },
  { header: 'text', width: 12 },
  { header: 'details' },
];

/** The same table drawn by one cli-table3 table, as renderTable did before it drew slices. */
function drawnWhole(columns: readonly Column[], rows: readonly (readonly string[])[], bold: (s: string) => string): string {
  const table = new Table({
    head: columns.map((c) => bold(c.header)),
    chars: {
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
    },
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

/** Rows of varied widths: wide (CJK) characters, an emoji, text to wrap, empty cells, the widest cell late in the table. */
function rowsOf(count: number): string[][] {
  const texts = ['short', 'a longer text that wraps over lines', '画像の生成', '', 'emoji 🎨 here', 'x'];
  return Array.from({ length: count }, (_, i) => [
    `2026-11-28T09:${String(i % 60).padStart(2, '0')}:00Z`,
    String(i * 37),
    texts[i % texts.length] as string,
    i === count - 3 ? 'the widest details cell, near the end of the table' : `k=${'v'.repeat(i % 17)}`,
  ]);
}

describe('renderTable', () => {
  it('draws exactly what one cli-table3 table draws, however many slices it takes', () => {
    for (const count of [0, 1, ROWS_PER_SLICE - 1, ROWS_PER_SLICE, ROWS_PER_SLICE + 1, 3 * ROWS_PER_SLICE + 7]) {
      for (const colors of [createColors(false), createColors(true)]) {
        const rows = rowsOf(count);
        expect(renderTable(COLUMNS, rows, colors), `${count} rows`).toBe(drawnWhole(COLUMNS, rows, colors.bold));
      }
    }
  });

  it('prints the header once, and one line per unwrapped row', () => {
    const rows = Array.from({ length: 2 * ROWS_PER_SLICE + 1 }, (_, i) => [String(i), String(i), 'a', 'b']);
    const lines = renderTable(COLUMNS, rows, createColors(false)).split('\n');
    expect(lines.filter((l) => l.startsWith('time'))).toHaveLength(1);
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.at(-1)).toMatch(/^100 +100 {2}a +b$/);
  });
});
