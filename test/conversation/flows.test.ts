import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlows, missingTexts, parseFlowFile } from '../../src/adapters/files/loadFlows.js';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { prompt } from '../../src/core/conversation/engine.js';
import { questionIn, type Text } from '../../src/core/conversation/text.js';
import { languageMenu } from '../../src/core/conversation/turnRouter.js';
import { choiceTitleLimit } from '../../src/core/i18n/translator.js';
import { LANGUAGES } from '../../src/core/nlu/language.js';

const root = join(import.meta.dirname, '..', '..');
const translator = loadTranslator(join(root, 'locales'));

function flatKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => flatKeys(v, prefix ? `${prefix}.${k}` : k));
}

describe('flows are data', () => {
  it('loads every flow with all its texts in ar, fr and ary', () => {
    const flows = loadFlows(join(root, 'flows'), translator);
    expect([...flows.keys()].sort()).toEqual(['report', 'sighting', 'subscribe']);
    for (const flow of flows.values()) expect(missingTexts(flow, translator)).toEqual([]);
  });

  it('offers every question with choices as buttons, short labels in every language, and asks for a pin where a place is asked', () => {
    const flows = loadFlows(join(root, 'flows'), translator);
    const known = {
      answers: {},
      context: {
        candidates: [
          { value: 'a-1', firstName: 'Mohammed-Amine', ageYears: 12, city: 'Casablanca' },
          { value: 'a-2', firstName: 'Salma', ageYears: 9, city: null },
        ],
      },
    };
    let offered = 0;
    let locations = 0;
    const questions: Array<{ where: string; type: string; text: Text }> = [
      ...[...flows.values()].flatMap((flow) =>
        flow.nodes.map((node) => ({
          where: `${flow.id}:${node.id}`,
          type: node.type,
          text: prompt(flow, node, known),
        })),
      ),
      { where: 'language menu', type: 'menu', text: languageMenu() },
    ];
    for (const { where, type, text } of questions) {
      const asked = questionIn(text);
      const withChoices = ['choice', 'pick', 'yes_no', 'consent', 'menu'].includes(type);
      expect(asked !== null && asked.choices.length > 0, where).toBe(withChoices);
      expect(asked?.requestLocation === true, where).toBe(['location', 'area'].includes(type));
      if (asked?.requestLocation) locations += 1;
      for (const language of LANGUAGES) {
        const reply = translator.renderReply(language, text);
        if (!withChoices) continue;
        offered += 1;
        expect(reply.choices?.length, where).toBe(asked?.choices.length);
        for (const choice of reply.choices ?? []) {
          expect(
            [...choice.title].length,
            `${language} ${where} ${choice.title}`,
          ).toBeLessThanOrEqual(choiceTitleLimit(reply.choices?.length ?? 0));
          expect(choice.title, `${language} ${where}`).not.toContain('choices:');
        }
      }
    }
    expect(offered).toBeGreaterThanOrEqual(3 * 8);
    expect(locations).toBe(3);
  });

  it('every locale file has the same keys in the three languages', () => {
    for (const file of readdirSync(join(root, 'locales', 'fr'))) {
      const keys = LANGUAGES.map((language) =>
        flatKeys(JSON.parse(readFileSync(join(root, 'locales', language, file), 'utf8'))).sort(),
      );
      expect(keys[1], `ar vs fr in ${file}`).toEqual(keys[0]);
      expect(keys[2], `ary vs fr in ${file}`).toEqual(keys[0]);
    }
  });

  it('refuses duplicate ids, unknown node types and jumps to unknown nodes, naming them', () => {
    const duplicate =
      'id: t\nversion: 1\nnodes:\n  - { id: a, type: message }\n  - { id: a, type: message }\n';
    expect(() => parseFlowFile('t.yaml', duplicate)).toThrow(/duplicate node id "a"/);
    const unknownType = 'id: t\nversion: 1\nnodes:\n  - { id: a, type: telepathy }\n';
    expect(() => parseFlowFile('t.yaml', unknownType)).toThrow(/t\.yaml: nodes\.0\.type/);
    const badTarget =
      'id: t\nversion: 1\nnodes:\n  - { id: c, type: consent, store: x, onRefuse: nowhere }\n';
    expect(() => parseFlowFile('t.yaml', badTarget)).toThrow(/unknown target node "nowhere"/);
    expect(() => parseFlowFile('t.yaml', 'id: [unclosed')).toThrow(/not valid YAML/);
    const pickWithoutOptions = 'id: t\nversion: 1\nnodes:\n  - { id: p, type: pick, store: x }\n';
    expect(() => parseFlowFile('t.yaml', pickWithoutOptions)).toThrow(/nodes\.0\.optionsFrom/);
    const unknownEffect = 'id: t\nversion: 1\nnodes:\n  - { id: s, type: submit, effect: fly }\n';
    expect(() => parseFlowFile('t.yaml', unknownEffect)).toThrow(/nodes\.0\.effect/);
  });

  it('an area question needs its "unknown city" sentence in every language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tifli-locales-'));
    cpSync(join(root, 'locales'), dir, { recursive: true });
    const path = join(dir, 'ar', 'subscribe.json');
    const subscribe = JSON.parse(readFileSync(path, 'utf8'));
    delete subscribe.area.unknown_city;
    writeFileSync(path, JSON.stringify(subscribe));
    expect(() => loadFlows(join(root, 'flows'), loadTranslator(dir))).toThrow(
      /missing texts: ar:subscribe:area\.unknown_city/,
    );
  });

  it('stops start-up when a question lacks its text in one language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tifli-locales-'));
    cpSync(join(root, 'locales'), dir, { recursive: true });
    const path = join(dir, 'ary', 'report.json');
    const report = JSON.parse(readFileSync(path, 'utf8'));
    delete report.child_age.prompt;
    writeFileSync(path, JSON.stringify(report));
    expect(() => loadFlows(join(root, 'flows'), loadTranslator(dir))).toThrow(
      /missing texts: ary:report:child_age\.prompt/,
    );
  });
});
