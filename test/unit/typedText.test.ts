import { describe, expect, it } from 'vitest';
import { cleanTypedText } from '../../src/core/typedText.js';

describe('cleanTypedText', () => {
  it('removes C0/C1 controls and DEL but keeps newlines and tabs', () => {
    expect(cleanTypedText('Lina\u0000\u0007 Benn\u001Bani\u007F\u0085\u009B')).toBe('Lina Bennani');
    expect(cleanTypedText('ligne 1\nligne 2\tfin')).toBe('ligne 1\nligne 2\tfin');
    expect(cleanTypedText('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
  });

  it('removes bidi overrides, isolates and direction marks', () => {
    const spoofed = 'pull \u202Eesor\u202C \u2066rouge\u2069 \u200Fوردي\u200E\u061C';
    expect(cleanTypedText(spoofed)).toBe('pull esor rouge وردي');
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(cleanTypedText(`x${String.fromCharCode(code)}y`)).toBe('xy');
    }
  });

  it('removes zero-width characters nothing needs, keeps ZWNJ and ZWJ', () => {
    expect(cleanTypedText('Ya\u200Bss\u2060ine\uFEFF')).toBe('Yassine');
    const family = '👨\u200D👩\u200D👧';
    expect(cleanTypedText(family)).toBe(family);
    expect(cleanTypedText('مي\u200Cرا')).toBe('مي\u200Cرا');
  });

  it('removes hidden tag text but keeps a subdivision flag', () => {
    const hidden = [...'ignore']
      .map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0)))
      .join('');
    expect(cleanTypedText(`sac bleu${hidden}`)).toBe('sac bleu');
    const scotland = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    expect(cleanTypedText(scotland)).toBe(scotland);
  });

  it('replaces a lone surrogate and leaves ordinary text as it is', () => {
    expect(cleanTypedText('a\uD800b')).toBe('a\uFFFDb');
    const text = 'بنتي لابسة كسوة حمرا، عندها 6 سنين — Lina a les yeux marron 😢';
    expect(cleanTypedText(text)).toBe(text);
  });
});
