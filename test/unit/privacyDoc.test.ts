import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETENTION_TABLE, retentionTableMarkdown } from '../../src/core/retention.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'privacy.md'), 'utf8');

describe('docs/privacy.md', () => {
  it('prints the retention table of the code', () => {
    const printed = /<!-- retention-table:start -->\n([\s\S]*?)\n<!-- retention-table:end -->/.exec(
      doc,
    );
    expect(printed?.[1], 'the markers of the retention table').toBeDefined();
    expect(printed?.[1]).toBe(retentionTableMarkdown());
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
