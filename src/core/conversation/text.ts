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
  | { kind: 'lines'; items: Text[] };

export const key = (k: string, params?: Record<string, Text>): Text =>
  params ? { kind: 'key', key: k, params } : { kind: 'key', key: k };
export const raw = (value: string): Text => ({ kind: 'raw', value });
export const num = (value: number): Text => ({ kind: 'number', value });
export const lines = (...items: Text[]): Text => ({ kind: 'lines', items });
