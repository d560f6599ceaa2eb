import i18next, { type i18n } from 'i18next';
import { z } from 'zod';
import { questionIn, type Text } from '../conversation/text.js';
import { LANGUAGES, type Language } from '../nlu/language.js';
import { formatLocalDateTime } from '../nlu/parseDateTime.js';

/** One namespace of sentences: nested keys down to non-empty strings. */
export type Resource = { [key: string]: string | Resource };

/** How one locale file must look. */
export const resourceSchema: z.ZodType<Resource> = z.lazy(() =>
  z.record(z.string(), z.union([z.string().min(1), resourceSchema])),
);

/** A choice as channels offer it: the label on the button, and what tapping it sends. */
export interface RenderedChoice {
  title: string;
  value: string;
}

/** One reply put into words, with the choices and the location request of its question. */
export interface RenderedReply {
  text: string;
  /** Absent when the question has no choices, or more than a list can hold. */
  choices?: RenderedChoice[];
  requestLocation?: true;
}

/** The most choices a channel offers at once (WhatsApp's list rows). */
export const MAX_CHOICES = 10;

/** How long a choice's label may be: WhatsApp's reply buttons (up to 3) hold 20 characters, list rows 24. */
export function choiceTitleLimit(choices: number): number {
  return choices <= 3 ? 20 : 24;
}

/** Cuts a label to `limit` characters as people see them, marking the cut. */
export function shortLabel(label: string, limit: number): string {
  const characters = [...label.trim()];
  return characters.length <= limit
    ? characters.join('')
    : `${characters
        .slice(0, limit - 1)
        .join('')
        .trimEnd()}…`;
}

/** Everything the bot and console can say, in every language, and how to say a `Text`. */
export interface Translator {
  /** One sentence by `namespace:key`. */
  t(language: Language, key: string, params?: Record<string, string>): string;
  /** Whether a key exists in a language (no fallback), for the locale completeness checks. */
  has(language: Language, key: string): boolean;
  /** Puts a `Text` into words; `results` fills values only known after the turn's effects. */
  render(language: Language, text: Text, results?: { reference?: string }): string;
  /** Puts a reply into words, with its question's choices (short labels) and location request. */
  renderReply(language: Language, text: Text, results?: { reference?: string }): RenderedReply;
  readonly namespaces: readonly string[];
}

/** Every sentence, by language, then namespace (one `locales/<language>/<namespace>.json` each). */
export type LocaleResources = Record<Language, Record<string, Resource>>;

/**
 * The translator over locale resources already read and validated (see
 * `adapters/files/loadTranslator.ts`, which reads `locales/` at start-up).
 */
export function createTranslator(resources: LocaleResources): Translator {
  const namespaces = new Set(
    Object.values(resources).flatMap((byNamespace) => Object.keys(byNamespace)),
  );
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources,
    ns: [...namespaces],
    defaultNS: 'common',
    lng: 'fr',
    supportedLngs: [...LANGUAGES],
    // Darija falls back on Arabic, the others on French; a test keeps every key present anyway.
    fallbackLng: { ary: ['ar'], default: ['fr'] },
    interpolation: { escapeValue: false },
    returnNull: false,
  });

  // Texts never change once loaded and most replies are the same questions,
  // so rendered sentences are remembered; the memo is emptied when it grows
  // past a bound, since parameters can hold what families typed.
  const memo = new Map<string, string>();
  const t = (language: Language, k: string, params?: Record<string, string>): string => {
    const memoKey = params ? `${language}:${k}:${JSON.stringify(params)}` : `${language}:${k}`;
    let sentence = memo.get(memoKey);
    if (sentence === undefined) {
      sentence = instance.t(k, { lng: language, ...params });
      if (memo.size >= 2_000) memo.clear();
      memo.set(memoKey, sentence);
    }
    return sentence;
  };

  const render = (language: Language, text: Text, results: { reference?: string } = {}): string => {
    switch (text.kind) {
      case 'key': {
        const params: Record<string, string> = {};
        for (const [name, value] of Object.entries(text.params ?? {})) {
          params[name] = render(language, value, results);
        }
        return t(language, text.key, params);
      }
      case 'raw':
        return text.value;
      case 'number':
        return String(text.value);
      case 'dateTime':
        return formatLocalDateTime(new Date(text.iso), language);
      case 'effectResult':
        return results[text.name] ?? '';
      case 'lines':
        return text.items.map((item) => render(language, item, results)).join('\n');
      case 'question':
        return render(language, text.body, results);
      default: {
        const unreachable: never = text;
        return unreachable;
      }
    }
  };

  const renderReply = (
    language: Language,
    text: Text,
    results: { reference?: string } = {},
  ): RenderedReply => {
    const rendered = render(language, text, results);
    const asked = questionIn(text);
    if (!asked) return { text: rendered };
    const { choices } = asked;
    const limit = choiceTitleLimit(choices.length);
    const offered =
      choices.length > 0 && choices.length <= MAX_CHOICES
        ? {
            choices: choices.map((choice) => ({
              title: shortLabel(render(language, choice.label, results), limit),
              value: choice.value,
            })),
          }
        : {};
    const location: Pick<RenderedReply, 'requestLocation'> = asked.requestLocation
      ? { requestLocation: true }
      : {};
    return { text: rendered, ...offered, ...location };
  };

  return {
    t,
    has: (language, k) => instance.exists(k, { lng: language, fallbackLng: false }),
    render,
    renderReply,
    namespaces: [...namespaces],
  };
}
