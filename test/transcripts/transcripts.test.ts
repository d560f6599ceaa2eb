/**
 * Golden transcripts: whole conversations, replayed on the pure core and the
 * real turn pipeline over in-memory ports (no database), every reply checked
 * in full. They are the specification of what Tifli says; after a deliberate
 * wording change, `UPDATE_TRANSCRIPTS=1 npx vitest run test/transcripts`
 * rewrites the bot lines (read the diff before committing it).
 *
 * Notation, one line each:
 *
 *   # a comment                       kept as it is
 *   @from +212600000101               the number that writes from here on
 *   @clock 2026-11-28T16:00:00Z       the time from here on (default: this one)
 *   @alert A1 C1 Amina 7 Casablanca received
 *                                     an active alert from here on: its id, its
 *                                     case's id, the child's first name, age,
 *                                     city (`-` for none); `received` when it
 *                                     reached the numbers that write
 *   @sent wamid.1 A1                  the alert A1's message reached the numbers as `wamid.1`
 *   user> some text                   a text message (`user>` alone: an empty one)
 *   user> [reply-to wamid.1] text     a message replying to the message `wamid.1`
 *   user> [location 33.5731 -7.5898 Place Mohammed V]
 *                                     a pin (latitude, longitude, optional name)
 *   user> [photo png]                 a photo (a 1×1 PNG; `jpeg`: a 2×2 JPEG)
 *   user> [voice-note]                a voice note (Ogg Opus); `[audio mp3]` an audio file
 *   user> [voice]                     a voice note the channel could not fetch (also
 *                                     sticker, video, document, reaction)
 *   bot> first line of a reply        one reply of the turn before…
 *   bot| its next line                …continued on the next line
 *   bot* [1] Oui · [2] Non            …the choices it offers as buttons ([value] title)
 *   bot* [location request]           …and that it asks for a location pin
 *
 * A `user>` followed by no `bot>` line got no reply (a redelivered message).
 * Draft ids are `draft-1`, `draft-2`… and message ids `m-1`, `m-2`… in order.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/adapters/files/loadFlows.js';
import { loadGazetteer } from '../../src/adapters/files/loadGazetteer.js';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { SharpPhotoSanitizer } from '../../src/adapters/images/sharpPhotoSanitizer.js';
import { MemoryAudioStore } from '../../src/adapters/memory/memoryAudioStore.js';
import {
  MemoryCaseStore,
  MemoryPhotoStore,
} from '../../src/adapters/memory/memoryCaseRepository.js';
import { MemoryConversationStore } from '../../src/adapters/memory/memoryConversationStore.js';
import { MemorySightingStore } from '../../src/adapters/memory/memorySightingStore.js';
import { MemorySubscriberIndex } from '../../src/adapters/memory/memorySubscriberIndex.js';
import { MemorySubscriptionStore } from '../../src/adapters/memory/memorySubscriptionStore.js';
import { TurnPipeline } from '../../src/app/turnPipeline.js';
import type { InboundMessage } from '../../src/core/conversation/input.js';
import { JPEG_BYTES, MP3_BYTES, OGG_OPUS_BYTES, PNG_1PX } from '../support/chat.js';
import { ScriptedAlerts, transcriptSightingLink } from './transcriptPorts.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const update = process.env.UPDATE_TRANSCRIPTS === '1';
const translator = loadTranslator(join(root, 'locales'));
const flows = loadFlows(join(root, 'flows'), translator);
const gazetteer = loadGazetteer(join(root, 'data', 'gazetteer', 'morocco.json'));

const MEDIA = ['voice', 'sticker', 'video', 'document', 'reaction'] as const;

/** A user line's message, as a channel would hand it to the pipeline. */
function messageOf(line: string, from: string, messageId: string): InboundMessage {
  const reply = /^\[reply-to (\S+)\] ?(.*)$/.exec(line);
  if (reply) return { ...messageOf(reply[2] ?? '', from, messageId), replyTo: reply[1] ?? '' };
  const base = { channel: 'dev', address: from, messageId };
  const bracket = /^\[([\w-]+)(?: (.*))?\]$/.exec(line);
  if (!bracket) return { ...base, input: { kind: 'text', text: line } };
  const [, kind, rest = ''] = bracket;
  if (kind === 'location') {
    const [latitude, longitude, ...name] = rest.split(' ');
    const input = {
      kind: 'location' as const,
      latitude: Number(latitude),
      longitude: Number(longitude),
    };
    return { ...base, input: name.length > 0 ? { ...input, name: name.join(' ') } : input };
  }
  if (kind === 'photo') {
    const data = Buffer.from(rest === 'jpeg' ? JPEG_BYTES : PNG_1PX, 'base64');
    const mimeType = rest === 'jpeg' ? 'image/jpeg' : 'image/png';
    const photoId = createHash('sha256').update(data).digest('hex');
    return {
      ...base,
      input: { kind: 'image', photoId, mimeType, size: data.length },
      photo: { photoId, mimeType, data },
    };
  }
  if (kind === 'voice-note' || kind === 'audio') {
    const data = Buffer.from(kind === 'audio' ? MP3_BYTES : OGG_OPUS_BYTES, 'base64');
    const mimeType = kind === 'audio' ? 'audio/mpeg' : 'audio/ogg';
    const audioId = createHash('sha256').update(data).digest('hex');
    const voice = kind === 'voice-note';
    return {
      ...base,
      input: { kind: 'audio', audioId, mimeType, size: data.length, voice },
      audio: { audioId, mimeType, data },
    };
  }
  const media = MEDIA.find((m) => m === kind);
  if (media) return { ...base, input: { kind: 'unsupported', media } };
  throw new Error(`unknown message notation: ${line}`);
}

/** Replays a transcript and returns it with the bot lines the pipeline produced. */
async function replay(source: string): Promise<string> {
  let now = new Date('2026-11-28T16:00:00Z');
  let drafts = 0;
  let messages = 0;
  let from = '+212600000001';
  const alerts = new ScriptedAlerts();
  const turns = new TurnPipeline({
    conversations: new MemoryConversationStore(() => now),
    flows,
    translator,
    cases: new MemoryCaseStore(),
    photos: new MemoryPhotoStore(),
    photoSanitizer: new SharpPhotoSanitizer(),
    audio: new MemoryAudioStore(),
    clock: { now: () => now },
    logger: pino({ level: 'silent' }),
    hashId: (id) => id,
    referencePrefix: 'TF',
    regionOf: (place, city) =>
      place.kind === 'pin'
        ? gazetteer.regionOf(place)
        : (gazetteer.regionOf({ text: city ?? '' }) ?? gazetteer.regionOf({ text: place.text })),
    newDraftId: () => `draft-${++drafts}`,
    findCity: (text) => gazetteer.findCity(text),
    subscriptions: new MemorySubscriptionStore(new MemorySubscriberIndex()),
    sightings: new MemorySightingStore(transcriptSightingLink(alerts), gazetteer),
    alerts,
  });

  const out: string[] = [];
  for (const line of source.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('bot>') || line.startsWith('bot|') || line.startsWith('bot*')) continue;
    out.push(line);
    const directive = /^@(\w+) (.*)$/.exec(line);
    if (directive) {
      const [, name, value = ''] = directive;
      if (name === 'from') from = value.trim();
      else if (name === 'sent') {
        const [channelMessageId = '', alertId = ''] = value.trim().split(/\s+/);
        alerts.messages.set(channelMessageId, alertId);
      } else if (name === 'clock') now = new Date(value.trim());
      else if (name === 'alert') {
        const [alertId = '', caseId = '', firstName = '', age = '', city = '-', received] = value
          .trim()
          .split(/\s+/);
        alerts.active.push({
          alertId,
          caseId,
          firstName,
          ageYears: Number(age),
          city: city === '-' ? null : city,
          received: received === 'received',
        });
      } else throw new Error(`unknown directive: ${line}`);
      continue;
    }
    if (!line.startsWith('user>')) continue;
    const text = line.slice('user>'.length).replace(/^ /, '');
    const replies = await turns.handle(messageOf(text, from, `m-${++messages}`));
    for (const reply of replies) {
      const [first = '', ...rest] = reply.text.split('\n');
      out.push(`bot>${first ? ` ${first}` : ''}`);
      for (const next of rest) out.push(`bot|${next ? ` ${next}` : ''}`);
      if (reply.choices) {
        out.push(
          `bot* ${reply.choices.map((choice) => `[${choice.value}] ${choice.title}`).join(' · ')}`,
        );
      }
      if (reply.requestLocation) out.push('bot* [location request]');
    }
  }
  return `${out.join('\n')}\n`;
}

const files = readdirSync(here)
  .filter((name) => name.endsWith('.txt'))
  .sort();

describe('golden transcripts', () => {
  it('there are transcripts to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (name) => {
    const path = join(here, name);
    const source = readFileSync(path, 'utf8');
    const replayed = await replay(source);
    if (update) writeFileSync(path, replayed);
    else expect(replayed).toBe(source);
  });
});
