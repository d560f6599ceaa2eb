import type { Alert } from '../../core/alert/alert.js';
import { capDateTime } from '../../core/alert/capTime.js';
import type { Translator } from '../../core/i18n/translator.js';
import type { Language } from '../../core/nlu/language.js';
import { formatLocalDateTime } from '../../core/nlu/parseDateTime.js';
import {
  ageText,
  alertHeadline,
  CAP_MEDIA_TYPE,
  capUrl,
  lastSeenPlace,
  xmlEscape,
} from './capMessage.js';

/** The Atom 1.0 namespace (RFC 4287). */
const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';

/** The media type the feed is served with. */
export const ATOM_MEDIA_TYPE = 'application/atom+xml';

/**
 * The languages of the feed's titles and summaries: one entry has one title,
 * and French and Arabic are the two the widest public reads (Darija is in
 * each entry's CAP document).
 */
const FEED_LANGUAGES: readonly Language[] = ['fr', 'ar'];

/** What the feed needs besides the alerts. */
export interface AtomFeedOptions {
  /** Public base URL of the service, e.g. `http://localhost:3000`. */
  baseUrl: string;
  translator: Translator;
  /** The feed's `updated` and the instant "active" is judged at. */
  updated: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the feed is served (`GET /alerts/feed.xml`). */
export function feedUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/alerts/feed.xml`;
}

/**
 * Whether an alert belongs in the feed at `now`: approved, published, not
 * ended, and not past its expiry even if the expiry job has not run yet.
 */
function isListed(alert: Alert, now: Date): boolean {
  return (
    alert.state === 'active' &&
    alert.approvedAt !== null &&
    alert.cap.length > 0 &&
    (alert.expiresAt === null || new Date(alert.expiresAt).getTime() > now.getTime())
  );
}

/**
 * The Atom 1.0 feed (XML) of the active alerts: one entry per alert, newest
 * approval first, linking the alert's CAP document (`rel="alternate"`,
 * `application/cap+xml`), titled in French and Arabic, summarised from the
 * public projection only. Ended, proposed or expired alerts are left out.
 * Pure: no I/O.
 */
export function atomFeed(alerts: readonly Alert[], options: AtomFeedOptions): string {
  const { baseUrl, translator, updated } = options;
  const listed = alerts
    .filter((alert) => isListed(alert, updated))
    .sort((a, b) => approvedTime(b) - approvedTime(a));
  const self = feedUrl(baseUrl);

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="${ATOM_NAMESPACE}">`,
    // The feed's own URL is a permanent IRI for it, as RFC 4287 §4.2.6 allows.
    `  <id>${xmlEscape(self)}</id>`,
    `  <title>${xmlEscape(FEED_LANGUAGES.map((l) => translator.t(l, 'cap:feed.title')).join(' · '))}</title>`,
    `  <updated>${capDateTime(updated)}</updated>`,
    `  <link rel="self" type="${ATOM_MEDIA_TYPE}" href="${xmlEscape(self)}"/>`,
    `  <author><name>${xmlEscape(translator.t('fr', 'cap:sender_name'))}</name></author>`,
    ...listed.map((alert) => entry(alert, baseUrl, translator)),
    '</feed>',
    '',
  ];
  return lines.join('\n');
}

function approvedTime(alert: Alert): number {
  return alert.approvedAt ? new Date(alert.approvedAt).getTime() : 0;
}

/** One entry; its `updated` is the last CAP message's, so readers see Updates. */
function entry(alert: Alert, baseUrl: string, translator: Translator): string {
  const cap = capUrl(baseUrl, alert._id);
  // An entry id must never change: urn:uuid when the alert id is one,
  // otherwise the alert's CAP URL, stable for as long as the service's address.
  const id = UUID.test(alert._id) ? `urn:uuid:${alert._id.toLowerCase()}` : cap;
  const last = alert.cap[alert.cap.length - 1];
  const published = alert.approvedAt ?? alert.cap[0]?.sent;
  const title = FEED_LANGUAGES.map((language) =>
    alertHeadline(alert, language, translator, false),
  ).join(' · ');
  const summary = FEED_LANGUAGES.map((language) => summaryText(alert, language, translator)).join(
    '\n\n',
  );
  const lines = [
    '  <entry>',
    `    <id>${xmlEscape(id)}</id>`,
    `    <title type="text">${xmlEscape(title)}</title>`,
  ];
  if (last) lines.push(`    <updated>${capDateTime(last.sent)}</updated>`);
  if (published) lines.push(`    <published>${capDateTime(published)}</published>`);
  lines.push(
    `    <link rel="alternate" type="${CAP_MEDIA_TYPE}" href="${xmlEscape(cap)}"/>`,
    `    <summary type="text">${xmlEscape(summary)}</summary>`,
    '  </entry>',
  );
  return lines.join('\n');
}

/** The public description of the child in one language, one fact per line. */
function summaryText(alert: Alert, language: Language, translator: Translator): string {
  const { content } = alert;
  const t = (key: string, params?: Record<string, string>): string =>
    translator.t(language, `cap:${key}`, params);
  const lines = [
    t(`summary.${content.sex}`, {
      name: content.firstName,
      age: ageText(translator, language, content.age),
    }),
  ];
  if (content.heightCm !== null) lines.push(t('summary.height', { cm: String(content.heightCm) }));
  const described = [
    ['build', content.build],
    ['hair', content.hair],
    ['marks', content.marks],
    ['clothing', content.clothing],
  ] as const;
  for (const [field, value] of described) {
    if (value) lines.push(t(`summary.${field}`, { value }));
  }
  const at = formatLocalDateTime(new Date(content.lastSeen.at), language);
  const place = lastSeenPlace(content.lastSeen);
  lines.push(
    place
      ? t(`summary.last_seen_place_${content.sex}`, { at, place })
      : t(`summary.last_seen_${content.sex}`, { at }),
  );
  lines.push(t('instruction.active'));
  return lines.join('\n');
}
