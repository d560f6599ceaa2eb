import { z } from 'zod';
import { matchesKeyword } from '../nlu/keywords.js';
import {
  hasMeaningfulContent,
  normalizeDigits,
  normalizeForMatching,
  stripInvisible,
} from '../nlu/normalize.js';
import { parseLastSeen } from '../nlu/parseDateTime.js';
import { parseAge, parseHeightCm, parseInteger } from '../nlu/parseNumber.js';
import { parseMoroccanPhone } from '../nlu/parsePhone.js';
import { encodeGeohash, geohashCentre, SUBSCRIPTION_CELL_PRECISION } from '../place/geohash.js';
import type { InputNode } from './flowSchema.js';
import type { TurnInput } from './input.js';
import { key, num, type Text } from './text.js';

/** A stored answer value: JSON only, `null` for "skipped". */
export type AnswerValue = string | number | boolean | null | { [k: string]: AnswerValue };

/** Reading one answer: the value to store, or the sentence explaining what was wrong. */
export type AnswerParse =
  | { ok: true; value: AnswerValue; photo?: { photoId: string }; audio?: { audioId: string } }
  | { ok: false; problem: Text };

/** A free-text answer given as a voice note: the note itself, kept with the case. */
export const voiceAnswerSchema = z.object({
  kind: z.literal('voice'),
  audioId: z.string().min(1),
  mimeType: z.string().min(1),
});
export type VoiceAnswer = z.infer<typeof voiceAnswerSchema>;

/** Questions answered by tapping a button or typing one of the offered answers. */
const CHOSEN: ReadonlySet<InputNode['type']> = new Set(['choice', 'pick', 'yes_no', 'consent']);

/**
 * A voice note or audio as an answer: the note itself for a free-text
 * question that takes one; otherwise a polite "please type (or tap) it".
 */
function parseVoice(node: InputNode, input: Extract<TurnInput, { kind: 'audio' }>): AnswerParse {
  if (input.problem === 'too_large') return { ok: false, problem: key('media:voice.too_large') };
  if (input.problem === 'bad_type') return { ok: false, problem: key('media:voice.bad_type') };
  if (node.type === 'text' && node.voice) {
    return {
      ok: true,
      value: { kind: 'voice', audioId: input.audioId, mimeType: input.mimeType },
      audio: { audioId: input.audioId },
    };
  }
  return {
    ok: false,
    problem: key(CHOSEN.has(node.type) ? 'media:voice.tap_or_type' : 'media:voice.type_instead'),
  };
}

const invalid = (name: string, params?: Record<string, Text>): AnswerParse => ({
  ok: false,
  problem: key(`common:invalid.${name}`, params),
});

/** The gazetteer's lookup of a city named in a text, in any script (`Gazetteer.findCity`). */
export type CityLookup = (
  text: string,
) => { id: string; fr: string; ar: string; lat: number; lon: number } | null;

/** One option of a `pick` question: an active alert a citizen may be writing about. */
export const pickOptionSchema = z.object({
  value: z.string(),
  firstName: z.string(),
  ageYears: z.number(),
  city: z.string().nullable(),
});
export type PickOption = z.infer<typeof pickOptionSchema>;

/** The options a `pick` question offers, from the flow's context (nothing usable: none). */
export function pickOptions(value: unknown): PickOption[] {
  const parsed = z.array(pickOptionSchema).safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** What reading an answer may consult besides the input. */
export interface ParseContext {
  now: Date;
  namespace: string;
  findCity?: CityLookup;
  /** The option a choice offers by default ("ok" picks it). */
  suggested?: unknown;
  /** A `pick` question's options. */
  options?: readonly PickOption[];
}

/** "skip", "I don't know" or "none" on an optional question. */
function isSkip(text: string): boolean {
  return (
    matchesKeyword('skip', text) || matchesKeyword('unknown', text) || matchesKeyword('none', text)
  );
}

/**
 * Reads the person's answer to one question. Pure: the same input and clock
 * always give the same result, so a retried turn stores the same thing.
 */
export function parseAnswer(node: InputNode, input: TurnInput, context: ParseContext): AnswerParse {
  if (input.kind === 'audio') return parseVoice(node, input);
  if (
    input.kind === 'text' &&
    'optional' in node &&
    node.optional &&
    node.type !== 'yes_no' &&
    isSkip(input.text)
  ) {
    return { ok: true, value: null };
  }
  switch (node.type) {
    case 'text':
      return parseFreeText(input, node.minLength, node.maxLength);
    case 'number':
      return parseNumberAnswer(node, input, context.namespace);
    case 'choice': {
      if (input.kind !== 'text') return invalid('choice');
      const text = normalizeDigits(stripInvisible(input.text)).trim();
      const byNumber = /^\d$/.test(text) ? node.options[Number(text) - 1] : undefined;
      const option = byNumber ?? node.options.find((o) => matchesKeyword(o.match, input.text));
      if (option) return { ok: true, value: option.value };
      const suggested = node.options.find((o) => o.value === context.suggested);
      if (suggested && (matchesKeyword('confirm', input.text) || matchesKeyword('yes', input.text)))
        return { ok: true, value: suggested.value };
      return invalid('choice');
    }
    case 'pick': {
      if (input.kind !== 'text') return invalid('choice');
      const options = context.options ?? [];
      const text = normalizeDigits(stripInvisible(input.text)).trim();
      const byNumber = /^\d$/.test(text) ? options[Number(text) - 1] : undefined;
      // Or the child's first name, however it is spelt in case and accents.
      const typed = normalizeForMatching(input.text);
      const option =
        byNumber ??
        options.find((o) => normalizeForMatching(o.firstName) === typed && typed !== '');
      return option ? { ok: true, value: option.value } : invalid('choice');
    }
    case 'area':
      return parseArea(node.id, input, context);
    case 'yes_no':
    case 'consent': {
      if (input.kind !== 'text') return invalid(node.type === 'consent' ? 'consent' : 'yes_no');
      if (matchesKeyword('yes', input.text)) return { ok: true, value: true };
      if (matchesKeyword('no', input.text)) return { ok: true, value: false };
      return invalid(node.type === 'consent' ? 'consent' : 'yes_no');
    }
    case 'date_time': {
      if (input.kind !== 'text') return invalid('date_unrecognized');
      const parsed = parseLastSeen(input.text, context.now);
      if (parsed.ok) return { ok: true, value: parsed.at.toISOString() };
      return invalid(parsed.reason === 'future' ? 'date_future' : 'date_unrecognized');
    }
    case 'location': {
      if (input.kind === 'location') {
        const pin: AnswerValue = {
          kind: 'pin',
          latitude: input.latitude,
          longitude: input.longitude,
        };
        if (input.name) pin.name = input.name;
        return { ok: true, value: pin };
      }
      const described = parseFreeText(input, 3, node.maxLength);
      if (!described.ok) return input.kind === 'text' ? described : invalid('location');
      return { ok: true, value: { kind: 'description', text: String(described.value) } };
    }
    case 'photo': {
      if (input.kind !== 'image') return invalid('photo_expected');
      if (input.problem === 'bad_type') return invalid('photo_type');
      if (input.problem === 'too_large') return invalid('photo_too_large');
      if (input.problem === 'unreadable') return { ok: false, problem: key('photo:unreadable') };
      if (input.problem === 'too_many_pixels')
        return { ok: false, problem: key('photo:too_many_pixels') };
      return {
        ok: true,
        value: { photoId: input.photoId, mimeType: input.mimeType },
        photo: { photoId: input.photoId },
      };
    }
    case 'phone': {
      if (input.kind !== 'text') return invalid('phone');
      if (matchesKeyword('no', input.text)) return { ok: true, value: null };
      const phone = parseMoroccanPhone(input.text);
      return phone.ok ? { ok: true, value: phone.e164 } : invalid('phone');
    }
    default: {
      const unreachable: never = node;
      return unreachable;
    }
  }
}

/**
 * A pin becomes its geohash cell and the cell's centre (never the point
 * itself: citizens' places are kept coarse); a text must name a city.
 */
function parseArea(nodeId: string, input: TurnInput, context: ParseContext): AnswerParse {
  if (input.kind === 'location') {
    const geohash = encodeGeohash(input.latitude, input.longitude, SUBSCRIPTION_CELL_PRECISION);
    const centre = geohashCentre(geohash);
    return {
      ok: true,
      value: { kind: 'cell', geohash, centre: { lat: centre.lat, lon: centre.lon } },
    };
  }
  if (input.kind !== 'text') return invalid('location');
  const city = context.findCity?.(input.text) ?? null;
  if (!city) return { ok: false, problem: key(`${context.namespace}:${nodeId}.unknown_city`) };
  return {
    ok: true,
    value: {
      kind: 'city',
      cityId: city.id,
      centre: { lat: city.lat, lon: city.lon },
      names: { fr: city.fr, ar: city.ar },
    },
  };
}

function parseFreeText(input: TurnInput, minLength: number, maxLength: number): AnswerParse {
  if (input.kind !== 'text') return invalid('text_expected');
  const text = stripInvisible(input.text).normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!hasMeaningfulContent(text)) return invalid('no_content');
  // Count characters as people see them, not UTF-16 units (emoji, Arabic).
  const length = [...text].length;
  if (length > maxLength) return invalid('text_too_long', { max: num(maxLength) });
  if (length < minLength) return invalid('text_too_short');
  return { ok: true, value: text };
}

function parseNumberAnswer(
  node: Extract<InputNode, { type: 'number' }>,
  input: TurnInput,
  namespace: string,
): AnswerParse {
  if (input.kind !== 'text') return invalid('number');
  const range = { min: num(node.min), max: num(node.max) };
  switch (node.parse) {
    case 'age': {
      const age = parseAge(input.text);
      if (!age.ok) return invalid('number');
      if (age.years > node.max)
        return { ok: false, problem: key(`${namespace}:${node.id}.invalid_adult`) };
      if (age.years < node.min) return invalid('out_of_range', range);
      return {
        ok: true,
        value:
          age.months === undefined
            ? { years: age.years }
            : { years: age.years, months: age.months },
      };
    }
    case 'height': {
      const height = parseHeightCm(input.text);
      if (height === null || height < node.min || height > node.max) return invalid('height');
      return { ok: true, value: height };
    }
    case 'integer': {
      const value = parseInteger(input.text);
      if (value === null) return invalid('number');
      if (value < node.min || value > node.max) return invalid('out_of_range', range);
      return { ok: true, value };
    }
    default: {
      const unreachable: never = node.parse;
      return unreachable;
    }
  }
}
