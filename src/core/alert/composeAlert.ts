import type { Translator } from '../i18n/translator.js';
import type { Language } from '../nlu/language.js';
import type { AlertEndReason, AlertTexts, PublicProjection } from './alert.js';

/**
 * The words of an alert, in Arabic, French and Darija. Everything here reads
 * only the public projection (never the case), so nothing private can reach
 * a citizen through a sentence; the sentences themselves live in
 * `locales/{ar,fr,ary}/alert.json`.
 */

/** Morocco's legal time: people read the time of disappearance on their own wall clock. */
const TIME_ZONE = 'Africa/Casablanca';

/**
 * The longest body we compose, in characters. With the header, the
 * reference and the STOP footer the whole WhatsApp message stays under
 * about 700 characters, which people still read to the end on a phone.
 */
export const ALERT_BODY_BUDGET = 520;

/** No free-text field is shortened below this, or it would stop describing anything. */
const FIELD_FLOOR = 30;

/** Locale key of the API error for an alert text that carries a phone number. */
export const PHONE_IN_TEXT_ERROR_KEY = 'alert:errors.phone_in_text';

/** Locale keys of the notices sent to the family outside a turn (param `reference`). */
export const FAMILY_ALERT_KEYS = {
  live: 'alert:family.live',
  ended: 'alert:family.ended',
} as const;

/** What the family is told about the public alert for their child. */
export type FamilyAlertEvent = keyof typeof FAMILY_ALERT_KEYS;

/** The family's free text that the alert shows; each may be shortened to fit the budget. */
interface FreeText {
  build: string | null;
  hair: string | null;
  marks: string | null;
  clothing: string | null;
  place: string | null;
  city: string | null;
}
type FreeTextField = keyof FreeText;
const FREE_TEXT_FIELDS: readonly FreeTextField[] = [
  'build',
  'hair',
  'marks',
  'clothing',
  'place',
  'city',
];

/**
 * The alert body in the three languages, as an officer first sees it in the
 * preview (and may edit): first name, age, sex, description, clothing, where
 * and when last seen (Casablanca time), and the call to reply or dial 19
 * without intervening. Absent details are left out, not shown empty. When a
 * body would exceed {@link ALERT_BODY_BUDGET}, the family's longest
 * descriptions are shortened at a word, ending with "…" (the officer sees it
 * in the preview and may rewrite them).
 */
export function composeAlertTexts(
  content: PublicProjection,
  options: { translator: Translator; abductionSuspected: boolean },
): AlertTexts {
  return {
    ar: composeBody(content, 'ar', options),
    fr: composeBody(content, 'fr', options),
    ary: composeBody(content, 'ary', options),
  };
}

function composeBody(
  content: PublicProjection,
  language: Language,
  options: { translator: Translator; abductionSuspected: boolean },
): string {
  const free: FreeText = {
    build: clean(content.build),
    hair: clean(content.hair),
    marks: clean(content.marks),
    clothing: clean(content.clothing),
    place: clean(content.lastSeen.place),
    city: clean(content.lastSeen.city),
  };
  const full = bodyText(content, free, language, options);
  if (full.length <= ALERT_BODY_BUDGET) return full;
  // The largest length every description can keep and still fit: the cut is
  // shared by the long ones instead of falling on whichever came first.
  let low = FIELD_FLOOR;
  let high = Math.max(...FREE_TEXT_FIELDS.map((field) => free[field]?.length ?? 0));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (bodyText(content, capped(free, middle), language, options).length <= ALERT_BODY_BUDGET) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return bodyText(content, capped(free, low), language, options);
}

function bodyText(
  content: PublicProjection,
  free: FreeText,
  language: Language,
  options: { translator: Translator; abductionSuspected: boolean },
): string {
  const { translator } = options;
  const t = (key: string, params?: Record<string, string>) =>
    translator.t(language, `alert:${key}`, params);
  const sex = content.sex;
  const lines: string[] = [
    t(`body.intro.${sex}`, {
      firstName: content.firstName,
      age: ageText(content.age, language, translator),
    }),
  ];
  if (options.abductionSuspected) lines.push(t(`body.abduction.${sex}`));
  lines.push(t(`body.last_seen.${sex}`, { when: whenText(content.lastSeen.at, language, t) }));
  const place = placeText(free.place, free.city, t);
  if (place) lines.push(t('body.place', { place }));
  if (content.heightCm !== null) lines.push(t('body.height', { cm: String(content.heightCm) }));
  if (free.build) lines.push(t('body.build', { value: free.build }));
  if (free.hair) lines.push(t('body.hair', { value: free.hair }));
  if (free.marks) lines.push(t('body.marks', { value: free.marks }));
  if (free.clothing) lines.push(t(`body.clothing.${sex}`, { value: free.clothing }));
  lines.push('', t(`body.call.${sex}`));
  return lines.join('\n');
}

/** Family text on one line, or null when there is nothing to show. */
function clean(value: string | null): string | null {
  const text = value?.replace(/\s+/g, ' ').trim() ?? '';
  return text === '' ? null : text;
}

function capped(free: FreeText, max: number): FreeText {
  const result = { ...free };
  for (const field of FREE_TEXT_FIELDS) {
    const value = free[field];
    if (value) result[field] = shorten(value, max);
  }
  return result;
}

/** Cuts at a word when one is near, by code points so no emoji is split in half. */
function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The place and the city, without repeating a city the family already named in the place. */
function placeText(
  place: string | null,
  city: string | null,
  t: (key: string, params?: Record<string, string>) => string,
): string | null {
  if (place && city && !place.toLowerCase().includes(city.toLowerCase())) {
    return t('body.place_city', { place, city });
  }
  return place ?? city;
}

const pluralRules = new Map<Language, Intl.PluralRules>();

/**
 * Arabic counts in six forms (سنة واحدة، سنتين، 3 سنوات، 11 سنة…) and Darija
 * follows the same pattern (عام، عامين، 3 سنين، 12 عام); Intl knows the
 * Arabic rules but not `ary`, so Darija borrows them.
 */
function pluralCategory(language: Language, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(language);
  if (!rules) {
    rules = new Intl.PluralRules(language === 'fr' ? 'fr' : 'ar');
    pluralRules.set(language, rules);
  }
  return rules.select(count);
}

/**
 * A baby's age is told in months (under two: "18 mois" says more than "1
 * an"), a child's in years.
 */
function ageText(age: PublicProjection['age'], language: Language, translator: Translator): string {
  const months =
    age.years === 0
      ? (age.months ?? 0)
      : age.years === 1 && age.months !== undefined
        ? 12 + age.months
        : undefined;
  const unit = months === undefined ? 'years' : 'months';
  const count = months ?? age.years;
  return translator.t(language, `alert:age.${unit}.${pluralCategory(language, count)}`, {
    count: String(count),
  });
}

const dateFormatters = new Map<Language, Intl.DateTimeFormat>();

/**
 * "le vendredi 28 novembre vers 15h00" / "يوم الجمعة 28 نونبر…": weekday,
 * day and month names from Intl (ar-MA has the Moroccan month names, نونبر,
 * غشت…), Latin digits as Moroccans write them. No year: an alert runs for
 * two days at most after a recent disappearance.
 */
function whenText(
  iso: string,
  language: Language,
  t: (key: string, params?: Record<string, string>) => string,
): string {
  let formatter = dateFormatters.get(language);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(language === 'fr' ? 'fr-MA' : 'ar-MA-u-nu-latn', {
      timeZone: TIME_ZONE,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateFormatters.set(language, formatter);
  }
  const parts = formatter.formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return t('when', {
    weekday: part('weekday'),
    day: part('day'),
    month: part('month'),
    // Some engines write midnight as 24 even with h23.
    hour: String(Number(part('hour')) % 24),
    minute: part('minute'),
  });
}

/**
 * What a subscriber receives: the header (abduction or missing child), a
 * line saying the area widened for a later stage, the (possibly
 * officer-edited) text in their language, the reference to give when
 * calling, and how to stop alerts.
 *
 * `stage` is the index of the stage being sent, as `stageAt` counts (0 is
 * the first circle).
 */
export function alertMessage(
  texts: AlertTexts,
  language: Language,
  options: {
    translator: Translator;
    abductionSuspected: boolean;
    reference?: string;
    stage?: number;
  },
): string {
  const t = (key: string, params?: Record<string, string>) =>
    options.translator.t(language, `alert:${key}`, params);
  const lines = [
    t(options.abductionSuspected ? 'message.header.abduction' : 'message.header.missing'),
  ];
  if (options.stage !== undefined && options.stage > 0) lines.push(t('message.widened'));
  lines.push('', texts[language].trim(), '');
  if (options.reference) lines.push(t('message.reference', { reference: options.reference }));
  lines.push(t('message.footer'));
  return lines.join('\n');
}

/**
 * The last message about an alert. When the child is found it says so and
 * thanks people, never where or how; when the alert was cancelled or ran
 * out it says the alert ended. Both ask people to stop sharing it. With only
 * a first name (sex unknown) the wording stays neutral.
 */
export function closingMessage(
  child: Pick<PublicProjection, 'firstName' | 'sex'> | string,
  reason: AlertEndReason,
  language: Language,
  translator: Translator,
): string {
  const firstName = typeof child === 'string' ? child : child.firstName;
  switch (reason) {
    case 'resolved': {
      const form = typeof child === 'string' ? 'child' : child.sex;
      return translator.t(language, `alert:closing.resolved.${form}`, { firstName });
    }
    case 'cancelled':
    case 'expired':
      return translator.t(language, 'alert:closing.ended', { firstName });
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/** The notice the family gets when the public alert for their child goes live or ends. */
export function familyAlertNotice(
  event: FamilyAlertEvent,
  reference: string,
  language: Language,
  translator: Translator,
): string {
  return translator.t(language, FAMILY_ALERT_KEYS[event], { reference });
}
