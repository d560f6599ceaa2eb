import type { PosterInput } from '../../app/ports/alertDocuments.js';

export type { PosterInput };

import type { PublicProjection } from '../../core/alert/alert.js';
import type { Translator } from '../../core/i18n/translator.js';
import { sniffImage } from '../../core/imageKind.js';
import type { Language } from '../../core/nlu/language.js';

/** The poster's size in CSS pixels: the 4:5 portrait format social networks show uncropped. */
export const POSTER_SIZE = { width: 1080, height: 1350 } as const;

/** The number the public is asked to call; the police's, never the family's. */
export const POLICE_NUMBER = '19';

/** Alerts are about places in Morocco: times are shown as people there read their clocks. */
const TIME_ZONE = 'Africa/Casablanca';

/** The two languages a poster carries, French first (left) and Arabic (right). */
type PosterLanguage = Extract<Language, 'fr' | 'ar'>;

/**
 * Escapes text for HTML element content and quoted attribute values. Every
 * value that comes from a case, and every sentence that carries one, goes
 * through here: a family types the child's name and clothing.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cuts a value to `max` characters (not UTF-16 units, so no emoji is split) so the layout holds. */
function clip(text: string, max: number): string {
  const characters = Array.from(text.trim());
  return characters.length <= max
    ? characters.join('')
    : `${characters.slice(0, max - 1).join('')}…`;
}

const dateFormatters = new Map<PosterLanguage, Intl.DateTimeFormat>();
const timeFormatters = new Map<PosterLanguage, Intl.DateTimeFormat>();

/** `ar` uses Latin digits, as Moroccan papers and police notices do. */
function intlLocale(language: PosterLanguage): string {
  return language === 'fr' ? 'fr-MA' : 'ar-MA-u-nu-latn';
}

function formatDate(at: Date, language: PosterLanguage): string {
  let formatter = dateFormatters.get(language);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(intlLocale(language), {
      timeZone: TIME_ZONE,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    });
    dateFormatters.set(language, formatter);
  }
  return formatter.format(at);
}

function formatTime(at: Date, language: PosterLanguage): string {
  let formatter = timeFormatters.get(language);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(intlLocale(language), {
      timeZone: TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormatters.set(language, formatter);
  }
  return formatter.format(at);
}

/**
 * Arabic has six plural forms (one, two, few, many…), so the key is chosen
 * by the language's plural rules; every locale file carries all six.
 */
function countPhrase(
  translator: Translator,
  language: PosterLanguage,
  unit: 'years' | 'months',
  n: number,
): string {
  const form = new Intl.PluralRules(language).select(n);
  return translator.t(language, `poster:${unit}.${form}`, { n: String(n) });
}

function agePhrase(
  translator: Translator,
  language: PosterLanguage,
  age: PublicProjection['age'],
): string {
  const months = age.months ?? 0;
  if (age.years === 0) return countPhrase(translator, language, 'months', months);
  const years = countPhrase(translator, language, 'years', age.years);
  if (months === 0) return years;
  return translator.t(language, 'poster:age_with_months', {
    years,
    months: countPhrase(translator, language, 'months', months),
  });
}

/** A sentence in one language, escaped; `params` hold raw values (escaped with the sentence). */
type Say = (key: string, params?: Record<string, string>) => string;

function sayIn(translator: Translator, language: PosterLanguage): Say {
  return (key, params) => escapeHtml(translator.t(language, `poster:${key}`, params));
}

/** A value typed in either script inside a sentence of the other: isolated so bidi order holds. */
function isolate(value: string): string {
  return `<bdi>${escapeHtml(value)}</bdi>`;
}

function lastSeenBlock(
  input: PosterInput,
  translator: Translator,
  language: PosterLanguage,
): string {
  const say = sayIn(translator, language);
  const { lastSeen, sex } = input.content;
  const at = new Date(lastSeen.at);
  const places = [lastSeen.place, lastSeen.city]
    .filter((part): part is string => part !== null && part.trim() !== '')
    .map((part, index) => clip(part, index === 0 ? 48 : 30));
  const place =
    places.length > 0 ? places.map(isolate).join(say('list_separator')) : say('place_unknown');
  return `<div class="seen" lang="${language}" dir="${language === 'ar' ? 'rtl' : 'ltr'}">
      <p class="seen-label">${say(`last_seen.${sex}`)}</p>
      <p class="seen-when">${say('last_seen_when', { date: formatDate(at, language), time: formatTime(at, language) })}</p>
      <p class="seen-place">${place}</p>
    </div>`;
}

function detailsBlock(
  input: PosterInput,
  translator: Translator,
  language: PosterLanguage,
): string {
  const say = sayIn(translator, language);
  const { content } = input;
  // Clothing first: it is what a passer-by recognises. Short fields get one
  // line and the longer ones two, so five rows always fit the space.
  const rows: Array<{ field: string; value: string; lines: 1 | 2 }> = [];
  const add = (field: string, value: string | null, max: number, lines: 1 | 2) => {
    if (value !== null && value.trim() !== '') {
      rows.push({ field, value: isolate(clip(value, max)), lines });
    }
  };
  add('clothing', content.clothing, 110, 2);
  if (content.heightCm !== null) {
    rows.push({
      field: 'height',
      value: say('height_value', { cm: String(content.heightCm) }),
      lines: 1,
    });
  }
  add('build', content.build, 40, 1);
  add('hair', content.hair, 60, 1);
  add('marks', content.marks, 90, 2);
  const body =
    rows.length === 0
      ? `<p class="none">${say('no_description')}</p>`
      : `<dl>${rows
          .map(
            ({ field, value, lines }) =>
              `<div class="row"><dt>${say(`field.${field}`)}</dt><dd class="lines-${lines}">${value}</dd></div>`,
          )
          .join('')}</dl>`;
  return `<div class="column" lang="${language}" dir="${language === 'ar' ? 'rtl' : 'ltr'}">${body}</div>`;
}

function photoBlock(input: PosterInput, translator: Translator, firstName: string): string {
  const bytes = input.photo?.data;
  // The type comes from the bytes: a stored type could be anything, and only
  // the formats Chromium draws and the bot accepts may become a data: URL.
  const mimeType = bytes ? sniffImage(bytes) : null;
  if (!bytes || !mimeType) {
    return `<div class="photo none">
      <p lang="fr" dir="ltr">${sayIn(translator, 'fr')('no_photo')}</p>
      <p lang="ar" dir="rtl">${sayIn(translator, 'ar')('no_photo')}</p>
    </div>`;
  }
  const alt = translator.t('fr', 'poster:photo_alt', { name: firstName });
  return `<div class="photo"><img src="data:${mimeType};base64,${bytes.toString('base64')}" alt="${escapeHtml(alt)}"></div>`;
}

const FONT_ARABIC = `'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', sans-serif`;
const FONT_ARABIC_TITLE = `'Noto Kufi Arabic', 'Noto Sans Arabic', 'DejaVu Sans', sans-serif`;
const FONT_LATIN = `'Noto Sans', 'DejaVu Sans', sans-serif`;

/**
 * The poster's style. Fonts are local only (fonts-noto-core when installed,
 * DejaVu Sans otherwise, which also has Arabic): the page may fetch nothing.
 */
const STYLE = `
*{box-sizing:border-box;margin:0;padding:0}
html,body{width:${POSTER_SIZE.width}px;height:${POSTER_SIZE.height}px;background:#fff;overflow:hidden}
body{font-family:${FONT_LATIN};color:#1a1a1a}
:lang(ar){font-family:${FONT_ARABIC}}
.poster{width:${POSTER_SIZE.width}px;height:${POSTER_SIZE.height}px;display:grid;
  grid-template-rows:150px 560px 1fr 180px 54px;overflow:hidden;background:#fff}
.band{background:#c1121f;color:#fff;display:flex;justify-content:space-between;align-items:center;padding:0 48px}
.band-side{display:flex;flex-direction:column;gap:4px}
.band-word{font-size:64px;font-weight:800;letter-spacing:6px;line-height:1}
.band-side:lang(ar) .band-word{font-family:${FONT_ARABIC_TITLE};letter-spacing:0;font-size:60px;line-height:1.2}
.band-kind{font-size:32px;font-weight:600}
.hero{display:grid;grid-template-columns:440px 1fr;gap:36px;padding:28px 48px 12px;overflow:hidden}
.photo{width:440px;height:520px;border:6px solid #c1121f;border-radius:12px;overflow:hidden;background:#eee}
.photo img{width:100%;height:100%;object-fit:cover;object-position:50% 20%;display:block}
.photo.none{display:flex;flex-direction:column;justify-content:center;align-items:center;gap:12px;
  color:#666;font-size:28px;text-align:center}
.identity{display:flex;flex-direction:column;gap:14px;overflow:hidden;min-width:0}
.name{font-size:72px;font-weight:800;line-height:1.15;color:#c1121f;overflow:hidden;
  white-space:nowrap;text-overflow:ellipsis}
.name.long{font-size:52px;white-space:normal;overflow-wrap:anywhere;display:-webkit-box;-webkit-line-clamp:2;
  -webkit-box-orient:vertical}
.who{font-size:34px;font-weight:700;line-height:1.3}
.seen{border-inline-start:6px solid #c1121f;padding-inline-start:14px;font-size:24px;line-height:1.35}
.seen-label{font-weight:700;text-transform:uppercase;font-size:20px;color:#c1121f}
.seen:lang(ar) .seen-label{text-transform:none;font-size:22px}
.seen-place{font-weight:700;overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.details{display:grid;grid-template-columns:1fr 1fr;gap:36px;padding:12px 48px;overflow:hidden;
  border-top:2px solid #eee}
.column{overflow:hidden;min-width:0}
.row{margin-bottom:8px}
dt{font-size:18px;line-height:24px;font-weight:700;color:#c1121f;text-transform:uppercase}
.column:lang(ar) dt{text-transform:none;font-size:20px}
dd{font-size:24px;line-height:32px;overflow:hidden;display:-webkit-box;-webkit-box-orient:vertical}
dd.lines-1{-webkit-line-clamp:1;max-height:32px}
dd.lines-2{-webkit-line-clamp:2;max-height:64px}
.none{color:#666;font-size:24px}
.call{background:#111;color:#fff;display:grid;grid-template-columns:1fr 220px 1fr;align-items:center;
  gap:24px;padding:0 40px}
.number{font-size:150px;font-weight:900;line-height:1;text-align:center;color:#fff;
  background:#c1121f;border-radius:16px;padding:10px 0}
.call-text{display:flex;flex-direction:column;gap:8px}
.call-ask{font-size:30px;font-weight:800;line-height:1.25}
.call-warn{font-size:23px;line-height:1.3;color:#ffd166}
.footer{display:flex;justify-content:space-between;align-items:center;padding:0 48px;font-size:20px;color:#555}
.footer .ref{font-family:'DejaVu Sans Mono',monospace;direction:ltr;unicode-bidi:isolate}
`;

/**
 * The poster as one self-contained HTML document: inline style, the photo as
 * a data: URL, no script and a policy that forbids anything else, so it can
 * be rendered with JavaScript and the network off. French and Arabic side by
 * side, each in its own block with its `lang` and `dir`. Pure.
 */
export function posterHtml(input: PosterInput, translator: Translator): string {
  const { content } = input;
  const firstName = clip(content.firstName, 40);
  const fr = sayIn(translator, 'fr');
  const ar = sayIn(translator, 'ar');
  const kind = input.abductionSuspected ? 'abduction' : 'missing';
  const who = (language: PosterLanguage): string =>
    sayIn(translator, language)('identity', {
      sex: translator.t(language, `poster:sex.${content.sex}`),
      age: agePhrase(translator, language, content.age),
    });
  const callText = (language: PosterLanguage): string => {
    const say = sayIn(translator, language);
    return `<div class="call-text" lang="${language}" dir="${language === 'ar' ? 'rtl' : 'ltr'}">
      <p class="call-ask">${say(`call.${content.sex}`)}</p>
      <p class="call-warn">${say('do_not_intervene', { number: POLICE_NUMBER })}</p>
    </div>`;
  };

  return `<!doctype html>
<html lang="fr" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${fr('title', { name: firstName })}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="poster" class="poster">
  <header class="band">
    <div class="band-side" lang="fr" dir="ltr"><span class="band-word">${fr('band.alert')}</span><span class="band-kind">${fr(`band.${kind}`)}</span></div>
    <div class="band-side" lang="ar" dir="rtl"><span class="band-word">${ar('band.alert')}</span><span class="band-kind">${ar(`band.${kind}`)}</span></div>
  </header>
  <section class="hero">
    ${photoBlock(input, translator, firstName)}
    <div class="identity">
      <p class="name${Array.from(firstName).length > 12 ? ' long' : ''}" dir="auto">${escapeHtml(firstName)}</p>
      <p class="who" lang="fr" dir="ltr">${who('fr')}</p>
      <p class="who" lang="ar" dir="rtl">${who('ar')}</p>
      ${lastSeenBlock(input, translator, 'fr')}
      ${lastSeenBlock(input, translator, 'ar')}
    </div>
  </section>
  <section class="details">
    ${detailsBlock(input, translator, 'fr')}
    ${detailsBlock(input, translator, 'ar')}
  </section>
  <section class="call">
    ${callText('fr')}
    <p class="number">${POLICE_NUMBER}</p>
    ${callText('ar')}
  </section>
  <footer class="footer">
    <span lang="fr" dir="ltr">${fr('share')}</span>
    <span class="ref">${escapeHtml(clip(input.caseReference, 40))}</span>
    <span lang="ar" dir="rtl">${ar('share')}</span>
  </footer>
</main>
</body>
</html>
`;
}
