import { expect } from 'vitest';
import type { App } from '../../src/compose.js';
import type { Language } from '../../src/core/nlu/language.js';

/** What a family can send through the dev channel in one message. */
export type Outgoing =
  | string
  | { location: { latitude: number; longitude: number; name?: string } }
  | { image: { mimeType: string; dataBase64: string } }
  | { audio: { mimeType: string; dataBase64: string; voice?: boolean } }
  | { text: string; replyTo: string }
  | { media: 'voice' | 'sticker' | 'video' | 'document' | 'reaction' };

/** A 1×1 PNG and a 2×2 JPEG: real pictures that decode, as a phone would send. */
export const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const JPEG_BYTES =
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAACAAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAABf/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/ALACyL//2Q==';

/** The start of an Ogg Opus voice note (WhatsApp's) and of an MP3 file with its ID3 tag. */
export const OGG_OPUS_BYTES = Buffer.concat([
  Buffer.from('OggS', 'ascii'),
  Buffer.from([
    0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x13,
  ]),
  Buffer.from('OpusHead', 'ascii'),
  Buffer.from([0x01, 0x01, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]),
]).toString('base64');
export const MP3_BYTES = Buffer.concat([
  Buffer.from('ID3', 'ascii'),
  Buffer.from([0x04, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64]),
]).toString('base64');

/** Sends one message as `from` and returns the texts of the turn's replies. */
export async function say(
  app: App,
  from: string,
  message: Outgoing,
  id?: string,
): Promise<string[]> {
  const body = typeof message === 'string' ? { from, text: message } : { from, ...message };
  const response = await app.http.inject({
    method: 'POST',
    url: '/dev/messages',
    payload: id ? { ...body, id } : body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ replies: Array<{ text: string }> }>().replies.map((reply) => reply.text);
}

/** The sentence of `namespace:key` in a language, as the bot says it (without interpolation). */
export function sentence(
  app: App,
  language: Language,
  key: string,
  params?: Record<string, string>,
): string {
  return app.translator.t(language, key, params);
}

/** Asserts the turn asked the given question of flows/report.yaml in the given language. */
export function expectAsked(app: App, replies: string[], language: Language, nodeId: string): void {
  const prompt = sentence(app, language, `report:${nodeId}.prompt`);
  expect(replies.join('\n'), `expected the ${language} question "${nodeId}"`).toContain(prompt);
}

/** Sends messages one after another, as a family types them. */
export async function sayAll(
  app: App,
  from: string,
  messages: readonly Outgoing[],
): Promise<string[]> {
  let last: string[] = [];
  for (const message of messages) last = await say(app, from, message);
  return last;
}

/** A French mother's answers up to the photo question (a girl of six). */
export const UP_TO_PHOTO: readonly string[] = [
  'Bonjour, ma fille a disparu',
  'oui',
  '1',
  'Nadia Idrissi',
  'Salma Idrissi',
  'fille',
  '6',
];
