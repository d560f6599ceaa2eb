/**
 * What the bot says, before it is put into words. The flow engine builds
 * these from locale keys and the person's own answers; the bot renders them
 * in the conversation's language (see i18n/renderText.ts). Keeping them as
 * data keeps the engine free of i18next and easy to assert on in tests.
 */
export type Text =
  /** A locale key (`ns:key`) with its interpolation values. */
  | { kind: 'key'; key: string; params?: Record<string, Text> }
  /** Words the person typed, shown back as they are. */
  | { kind: 'raw'; value: string }
  /** A number, shown with ASCII digits in every language. */
  | { kind: 'number'; value: number }
  /** An instant, shown in Morocco's local time in the conversation's language. */
  | { kind: 'dateTime'; iso: string }
  /** A value known only once the turn's effects ran (e.g. the new case reference). */
  | { kind: 'effectResult'; name: 'reference' }
  /** Several texts, one per line. */
  | { kind: 'lines'; items: Text[] }
  /**
   * A question: its words (which list the options too, so a typed answer
   * always works), the answers a channel may offer as buttons or a list, and
   * whether it asks for a location pin.
   */
  | { kind: 'question'; body: Text; choices: Choice[]; requestLocation?: true };

/** One answer a question offers: what the person sends back (as they could type it) and a short label. */
export interface Choice {
  /** What the flow accepts when typed, e.g. `1` or `yes`. */
  value: string;
  label: Text;
}

/** The question in a reply (the last one, if a reply holds several), when it has one. */
export function questionIn(text: Text): Extract<Text, { kind: 'question' }> | null {
  switch (text.kind) {
    case 'question':
      return questionIn(text.body) ?? text;
    case 'lines': {
      for (let i = text.items.length - 1; i >= 0; i--) {
        const item = text.items[i];
        const found = item ? questionIn(item) : null;
        if (found) return found;
      }
      return null;
    }
    case 'key':
    case 'raw':
    case 'number':
    case 'dateTime':
    case 'effectResult':
      return null;
    default: {
      const unreachable: never = text;
      return unreachable;
    }
  }
}

export const key = (k: string, params?: Record<string, Text>): Text =>
  params ? { kind: 'key', key: k, params } : { kind: 'key', key: k };
export const raw = (value: string): Text => ({ kind: 'raw', value });
export const num = (value: number): Text => ({ kind: 'number', value });
export const lines = (...items: Text[]): Text => ({ kind: 'lines', items });
export const question = (
  body: Text,
  choices: Choice[],
  options: { requestLocation?: boolean } = {},
): Text =>
  options.requestLocation
    ? { kind: 'question', body, choices, requestLocation: true }
    : { kind: 'question', body, choices };
