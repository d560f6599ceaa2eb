import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETENTION_TABLE, retentionTableMarkdown } from '../../src/core/retention.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'privacy.md'), 'utf8');

/** A Markdown table's cells, row by row, without padding or the separator row. */
const cells = (table: string): string[][] =>
  table
    .split('\n')
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );

describe('docs/privacy.md', () => {
  it('prints the retention table of the code', () => {
    const printed = /<!-- retention-table:start -->\n([\s\S]*?)\n<!-- retention-table:end -->/.exec(
      doc,
    );
    expect(printed?.[1], 'the markers of the retention table').toBeDefined();
    // Compared cell by cell: the formatter pads the columns of the document's table.
    expect(cells(printed?.[1] ?? '')).toEqual(cells(retentionTableMarkdown()));
    expect(RETENTION_TABLE.length).toBeGreaterThan(10);
  });

  it('names only test files that exist', () => {
    const files = [...doc.matchAll(/`(test\/[^`]+\.(?:ts|txt))`/g)].map((m) => m[1] ?? '');
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      expect(() => readFileSync(join(import.meta.dirname, '..', '..', file)), file).not.toThrow();
    }
  });
});
