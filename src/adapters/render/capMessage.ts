import type { CapPhoto } from '../../app/ports/alertDocuments.js';

export type { CapPhoto };

import type { Alert, CapRecord, PublicProjection } from '../../core/alert/alert.js';
import { capDateTime } from '../../core/alert/capTime.js';
import type { Translator } from '../../core/i18n/translator.js';
import { LANGUAGES, type Language } from '../../core/nlu/language.js';

/** The CAP 1.2 namespace (OASIS Standard, 2010). */
export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

/** The media type CAP documents are served with. */
export const CAP_MEDIA_TYPE = 'application/cap+xml';

/** What a CAP message needs besides the alert. */
export interface CapOptions {
  /** Public base URL of the service, e.g. `http://localhost:3000` (no trailing slash needed). */
  baseUrl: string;
  /** CAP `sender`: a globally unique address of the originator, e.g. `tifli@police.example.ma`. */
  sender: string;
  translator: Translator;
  /** The stored photo; without it no `resource` is written, even if the alert has a photo. */
  photo?: CapPhoto;
}

/** The `language` of each `info` block: the language spoken in Morocco (BCP 47). */
const CAP_LANGUAGE: Record<Language, string> = { ar: 'ar-MA', fr: 'fr-MA', ary: 'ary-MA' };

/** The number the public calls (police); also what the texts tell people to call. */
const POLICE_CONTACT = '19';

/**
 * Whether XML 1.0 allows a code point at all (§2.2 Char). C0 controls other
 * than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF cannot even be escaped,
 * and a single one in an officer's text would make the whole document
 * unreadable, so they are dropped.
 */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Text made safe for XML content and attribute values (both quote kinds escaped). */
export function xmlEscape(text: string): string {
  let out = '';
  // for…of walks code points, so a valid surrogate pair arrives whole.
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (!isXmlChar(codePoint)) continue;
    switch (char) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      default:
        out += char;
    }
  }
  return out;
}

/** `<name>text</name>`, escaped, at an indentation depth. */
function element(depth: number, name: string, text: string): string {
  return `${'  '.repeat(depth)}<${name}>${xmlEscape(text)}</${name}>`;
}

/** `<name>` around already-built children. */
function group(depth: number, name: string, children: string[]): string {
  const indent = '  '.repeat(depth);
  return [`${indent}<${name}>`, ...children, `${indent}</${name}>`].join('\n');
}

/** The public base URL without a trailing slash, so paths join cleanly. */
function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** Where the CAP document of an alert is served (`GET /alerts/:id.cap`). */
export function capUrl(baseUrl: string, alertId: string): string {
  return `${trimBase(baseUrl)}/alerts/${encodeURIComponent(alertId)}.cap`;
}

/** Where the alert's photo is served while the alert is active (`GET /alerts/:id/photo`). */
export function alertPhotoUrl(baseUrl: string, alertId: string): string {
  return `${trimBase(baseUrl)}/alerts/${encodeURIComponent(alertId)}/photo`;
}

/** One plural category per count, as i18next would pick it; Darija counts like Arabic. */
function pluralCategory(language: Language, n: number): string {
  return new Intl.PluralRules(language === 'fr' ? 'fr' : 'ar').select(n);
}

/**
 * The child's age in words ("7 ans", "سنتان", "3 سنين"). The plural form is
 * chosen here because Arabic has six of them and the translator's parameters
 * are strings, which i18next does not pluralise.
 */
export function ageText(
  translator: Translator,
  language: Language,
  age: PublicProjection['age'],
): string {
  const count = (unit: 'years' | 'months', n: number): string =>
    translator.t(language, `cap:age.${unit}_${pluralCategory(language, n)}`, { n: String(n) });
  const months = age.months ?? 0;
  if (age.years >= 1) {
    const years = count('years', age.years);
    // Months matter for toddlers; beyond that they only lengthen the headline.
    if (months === 0 || age.years >= 3) return years;
    return translator.t(language, 'cap:age.years_and_months', {
      years,
      months: count('months', months),
    });
  }
  if (age.months === undefined) return translator.t(language, 'cap:age.under_one_year');
  if (months === 0) return translator.t(language, 'cap:age.under_one_month');
  return count('months', months);
}

/** Whether a message announces the end: a Cancel, or any message of an alert already over. */
export function announcesEnd(
  alert: Pick<Alert, 'state'>,
  record: Pick<CapRecord, 'msgType'>,
): boolean {
  return record.msgType === 'Cancel' || alert.state === 'ended';
}

/**
 * The one-line title of an alert in a language: "Enfant disparu : Yassine, 7 ans"
 * while it runs, "Yassine a été retrouvé — merci" or "Fin de l'alerte…" once over.
 */
export function alertHeadline(
  alert: Pick<Alert, 'abductionSuspected' | 'content' | 'endReason'>,
  language: Language,
  translator: Translator,
  ended: boolean,
): string {
  const { content } = alert;
  const name = content.firstName;
  if (ended) {
    return alert.endReason === 'resolved'
      ? translator.t(language, `cap:headline.found_${content.sex}`, { name })
      : translator.t(language, 'cap:headline.ended', { name });
  }
  const age = ageText(translator, language, content.age);
  return alert.abductionSuspected
    ? translator.t(language, 'cap:headline.abduction', { name, age })
    : translator.t(language, `cap:headline.missing_${content.sex}`, { name, age });
}

/** A coordinate to 4 decimals (about 10 m): enough for a circle of kilometres, no float noise. */
/**
 * Two decimals (about 1 km): enough for a circle of 20 km or more, and the
 * place last seen is often the family's door, which the public need not know.
 */
function coordinate(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** The place last seen and its city in words, without saying the city twice; null when unknown. */
export function lastSeenPlace(lastSeen: PublicProjection['lastSeen']): string | null {
  const place = lastSeen.place?.trim() || null;
  const city = lastSeen.city?.trim() || null;
  if (place && city && !place.toLowerCase().includes(city.toLowerCase())) {
    return `${place}, ${city}`;
  }
  return place ?? city;
}

/**
 * The CAP 1.2 message (XML) for one published message of an alert.
 *
 * `record` must be one of `alert.cap`: its place in the chain decides
 * `references` (every earlier message, CAP §3.2.1), and its `stage` decides
 * the circle. One `info` per language (ar-MA, fr-MA, ary-MA) carries the
 * officer-edited text (`alert.texts`) and the public projection only — the
 * `Alert` type holds nothing else about the child. Every text is escaped.
 *
 * Pure: no I/O, the same inputs give the same document. Throws when `record`
 * is not part of the alert's chain or names a stage the alert lacks, which
 * only a programming error can cause.
 */
export function capMessage(alert: Alert, record: CapRecord, options: CapOptions): string {
  const position = alert.cap.findIndex((item) => item.identifier === record.identifier);
  if (position < 0) throw new Error('capMessage: the record is not part of the alert chain');
  const stage = alert.stages[record.stage];
  if (!stage) throw new Error('capMessage: the record names a stage the alert does not have');

  const ended = announcesEnd(alert, record);
  const sent = capDateTime(record.sent);

  const head = [
    element(1, 'identifier', record.identifier),
    element(1, 'sender', options.sender),
    element(1, 'sent', sent),
    element(1, 'status', 'Actual'),
    element(1, 'msgType', record.msgType),
    element(1, 'scope', 'Public'),
  ];
  if (record.msgType !== 'Alert' && position > 0) {
    // CAP §3.2.1: "sender,identifier,sent" of each referenced message, space-separated.
    const references = alert.cap
      .slice(0, position)
      .map((earlier) => `${options.sender},${earlier.identifier},${capDateTime(earlier.sent)}`)
      .join(' ');
    head.push(element(1, 'references', references));
  }

  const infos = LANGUAGES.map((language) =>
    infoBlock(alert, language, {
      ...options,
      ended,
      stageRadiusKm: stage.radiusKm,
      sent: record.sent,
    }),
  );

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<alert xmlns="${CAP_NAMESPACE}">`,
    ...head,
    ...infos,
    '</alert>',
    '',
  ].join('\n');
}

interface InfoContext extends CapOptions {
  ended: boolean;
  stageRadiusKm: number;
  /** When this message was sent (the end time of a Cancel when the alert has no `endedAt`). */
  sent: string;
}

/** One `info` block, in the order the schema requires. */
function infoBlock(alert: Alert, language: Language, context: InfoContext): string {
  const { translator, ended } = context;
  const t = (key: string, params?: Record<string, string>): string =>
    translator.t(language, `cap:${key}`, params);
  const kind = alert.abductionSuspected ? 'abduction' : 'missing';

  const children = [
    element(2, 'language', CAP_LANGUAGE[language]),
    // Rescue: "rescue and recovery", what the search for a missing child is.
    element(2, 'category', 'Rescue'),
    element(2, 'event', t(`event.${kind}`)),
    ...codeAndTimes(alert, context),
    element(2, 'senderName', t('sender_name')),
    element(2, 'headline', alertHeadline(alert, language, translator, ended)),
    element(
      2,
      'description',
      ended
        ? t(alert.endReason === 'resolved' ? 'description.found' : 'description.ended')
        : alert.texts[language],
    ),
    element(2, 'instruction', t(ended ? 'instruction.ended' : 'instruction.active')),
    element(2, 'web', capUrl(context.baseUrl, alert._id)),
    element(2, 'contact', POLICE_CONTACT),
  ];

  // The photo is public only while the alert runs; after the end the route
  // answers 404 and the message must not point at it either.
  if (!ended && alert.photoId !== null && context.photo) {
    const resource = [
      element(3, 'resourceDesc', t('resource.photo')),
      element(3, 'mimeType', context.photo.mimeType),
      element(3, 'size', String(Math.trunc(context.photo.size))),
      element(3, 'uri', alertPhotoUrl(context.baseUrl, alert._id)),
    ];
    if (context.photo.digest) resource.push(element(3, 'digest', context.photo.digest));
    children.push(group(2, 'resource', resource));
  }

  const km = String(context.stageRadiusKm);
  const place = lastSeenPlace(alert.content.lastSeen);
  children.push(
    group(2, 'area', [
      element(
        3,
        'areaDesc',
        // Once the alert is over, the place the child was last seen is no longer published.
        place && !ended
          ? t('area.around_place', { km, place })
          : t('area.around_last_seen', { km }),
      ),
      // CAP circle: "lat,lon radius" in WGS 84, radius in kilometres.
      element(3, 'circle', `${coordinate(alert.centre.lat)},${coordinate(alert.centre.lon)} ${km}`),
    ]),
  );

  return group(1, 'info', children);
}

/**
 * responseType … expires: the part of `info` that sets how receivers rank the
 * message. Same in every language.
 */
function codeAndTimes(alert: Alert, context: InfoContext): string[] {
  const start = alert.approvedAt ?? alert.cap[0]?.sent ?? context.sent;
  const lines: string[] = [];
  if (context.ended) {
    // The end of an alert is an all-clear: nothing more to do (AllClear), the
    // event is over (Past), no threat remains (Minor), and the police
    // determined that it ended (Observed). Keeping the running values would
    // make receivers that sort by urgency re-announce a finished alert.
    lines.push(
      element(2, 'responseType', 'AllClear'),
      element(2, 'urgency', 'Past'),
      element(2, 'severity', 'Minor'),
      element(2, 'certainty', 'Observed'),
    );
  } else {
    // AMBER-style practice: a child alert is Immediate and Severe. Certainty
    // follows what the police established before approving: that the child is
    // missing is verified (Observed); that the child was taken is an
    // assessment (Likely), the AMBER criterion "believed to be abducted".
    // Possible (p ≤ 50 %) would let receivers that filter on certainty drop it.
    lines.push(
      element(2, 'responseType', 'Monitor'),
      element(2, 'urgency', 'Immediate'),
      element(2, 'severity', 'Severe'),
      element(2, 'certainty', alert.abductionSuspected ? 'Likely' : 'Observed'),
    );
  }
  // SAME codes are what CAP receivers (sirens, broadcasters, phones) key on:
  // CAE (Child Abduction Emergency) is the AMBER code and only fits a suspected
  // abduction; MEP (Missing and Endangered Persons, added by the FCC in 2016
  // for cases that do not meet AMBER criteria) fits every other missing child
  // the police chose to alert on. A Cancel keeps the code of what it cancels.
  lines.push(
    group(2, 'eventCode', [
      element(3, 'valueName', 'SAME'),
      element(3, 'value', alert.abductionSuspected ? 'CAE' : 'MEP'),
    ]),
    element(2, 'effective', capDateTime(start)),
    element(2, 'onset', capDateTime(start)),
  );
  const expires = context.ended ? (alert.endedAt ?? context.sent) : alert.expiresAt;
  if (expires) lines.push(element(2, 'expires', capDateTime(expires)));
  return lines;
}
