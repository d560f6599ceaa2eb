import { LANGUAGES, type Language } from './language.js';
import { normalizeForMatching } from './normalize.js';

/**
 * What {@link detectLanguage} concluded. `confident: false` means "ask": the
 * caller shows the language menu, possibly pre-selecting `guess`.
 */
export type LanguageGuess =
  | { confident: true; language: Language }
  | { confident: false; guess?: Language };

/**
 * Marker words and how much each says about the language (1 = clear, 0.5 =
 * weak). Builds a marker table whose keys are folded like the messages they are
 * compared with, so the lists below can be written in ordinary spelling.
 */
function markers(strong: readonly string[], weak: readonly string[] = []): Map<string, number> {
  const table = new Map<string, number>();
  const add = (words: readonly string[], weight: number): void => {
    for (const word of words) {
      const key = normalizeForMatching(word);
      table.set(key, Math.max(table.get(key) ?? 0, weight));
    }
  };
  add(weak, 0.5);
  add(strong, 1);
  return table;
}

/**
 * Darija written in Arabic script: words MSA does not use (or spells
 * differently), such as ديال, بغيت, واش, دابا, تلف "got lost", and the
 * third-person suffix -و where MSA writes -ه (عندو, ديالو).
 */
const DARIJA_ARABIC = markers(
  [
    'ديال',
    'ديالي',
    'ديالو',
    'ديالها',
    'ديالنا',
    'ديالك',
    'ديالكم',
    'ديالهم',
    'د',
    'بغيت',
    'بغينا',
    'بغا',
    'بغات',
    'كنبغي',
    'واش',
    'شنو',
    'شنا',
    'اشنو',
    'آش',
    'اش',
    'شكون',
    'كيفاش',
    'فين',
    'فاين',
    'علاش',
    'دابا',
    'غادي',
    'غادا',
    'غاديه',
    'راه',
    'راها',
    'راني',
    'راهم',
    'ماشي',
    'بزاف',
    'هاد',
    'هادي',
    'هادا',
    'هادو',
    'هادشي',
    'هدشي',
    'هاديك',
    'هداك',
    'ديك',
    'داك',
    'كاين',
    'كاينه',
    'كاينين',
    'ماكاينش',
    'ماكانش',
    'ولدي',
    'وليدي',
    'بنتي',
    'بنيتي',
    'مشا',
    'مشات',
    'مشيت',
    'مشينا',
    'مشاو',
    'تلف',
    'تلفات',
    'تلفت',
    'تلفنا',
    'تلفلي',
    'تلفليا',
    'خويا',
    'ختي',
    'ختو',
    'خوه',
    'عافاك',
    'عافاكم',
    'يخليك',
    'يخليكم',
    'ديما',
    'شحال',
    'بشحال',
    'مابقاش',
    'مازال',
    'مزال',
    'والو',
    'صافي',
    'واخا',
    'شي',
    'شويه',
    'مزيان',
    'زوين',
    'الدار',
    'فالدار',
    'لقيت',
    'لقيناه',
    'لقيتو',
    'مالقيناهش',
    'ملقيناهش',
    'نلقاو',
    'كنقلب',
    'كنقلبو',
    'قلبنا',
    'ماجاش',
    'مارجعش',
    'جات',
    'عندو',
    'البارح',
    'لبارح',
    'العشيه',
    'فالعشيه',
    'فالصباح',
    'فالليل',
    'سمحلي',
    'ياك',
    'دوك',
    'كنتسنا',
    'كنتسناو',
    'حيت',
    'باش',
    'ملي',
    'فوقاش',
    'تاني',
    'كيقول',
    'كتقول',
    'الزنقه',
    'الحومه',
    'الدرب',
    'سكويلا',
    'ماعرفتش',
    'معرفتش',
    'ماعرفناش',
    'دغيا',
    'واه',
    'ليا',
    'ليه',
    'تا',
    'ف',
    'بلا',
    'غير',
    'عاونوني',
    'عاونيني',
    'عاونونا',
    'الوليد',
    'ضاعلي',
    'خرجات',
    'رجعات',
    'دخلات',
    'للدار',
    'خاصني',
    'خاصنا',
    'ندير',
    'نديرو',
    'لابس',
    'لابسه',
    'كحل',
    'حمر',
    'زرق',
    'صفر',
    'خضر',
    'حنا',
    'نتوما',
    'تيشورت',
    'صباط',
    'سبرديله',
    'قشابيه',
    'جلابه',
    'بحال',
    'كيما',
    'ملقيتوش',
  ],
  ['عمرو', 'البارحه', 'نهار', 'ايه'],
);

/** Modern Standard Arabic: function words and vocabulary Darija does not use. */
const MSA = markers(
  [
    'أريد',
    'نريد',
    'ابني',
    'ابنتي',
    'طفلي',
    'طفلتي',
    'هل',
    'ماذا',
    'لماذا',
    'أين',
    'الذي',
    'التي',
    'الذين',
    'لقد',
    'فقد',
    'مفقود',
    'مفقوده',
    'مفقودا',
    'اختفى',
    'اختفت',
    'اختفاء',
    'أرجو',
    'الرجاء',
    'رجاء',
    'فضلك',
    'فضلكم',
    'منذ',
    'عندما',
    'لم',
    'لن',
    'ليس',
    'ليست',
    'ذلك',
    'تلك',
    'يرتدي',
    'ترتدي',
    'يبلغ',
    'تبلغ',
    'عمره',
    'سنوات',
    'الآن',
    'حوالي',
    'لكن',
    'نحن',
    'يوجد',
    'أعرف',
    'ساعدوني',
    'ساعدني',
    'ساعدونا',
    'المنزل',
    'ذهب',
    'ذهبت',
    'صباحا',
    'مساء',
    'مساءا',
    'أمس',
    'ظهرا',
    'الماضيه',
    'جزيلا',
    'الإبلاغ',
    'أبلغ',
    'يعد',
    'تعد',
    'سوف',
    'أستطيع',
    'يمكنني',
    'نبحث',
    'أبحث',
    'أحتاج',
    'نحتاج',
    'إنه',
    'إنها',
    'ابنه',
    'ابنها',
    'عاد',
    'تعود',
    'يعود',
    'ابننا',
    'ابنتنا',
    'المفقود',
    'المفقوده',
    'الطفله',
    'والده',
    'تساعدوني',
    'يرجى',
    'بخصوص',
    'هناك',
    'يجب',
    'أفعل',
  ],
  ['كيف', 'قد', 'هذا', 'هذه', 'إلى', 'عن', 'عنده', 'الشرطه', 'البيت', 'نعم', 'إن', 'أن'],
);

/**
 * French function words and the vocabulary of a report. Loanwords Darija
 * speakers use all the time (police, merci, déclaration) count little or not
 * at all, because they appear in Darija sentences just as much.
 */
const FRENCH = markers(
  [
    'je',
    'j',
    'mon',
    'mes',
    'fils',
    'fille',
    'filles',
    'enfant',
    'enfants',
    'bonjour',
    'bonsoir',
    'disparu',
    'disparue',
    'disparus',
    'perdu',
    'perdue',
    'est',
    'les',
    'une',
    'pas',
    'oui',
    'aide',
    'aidez',
    'depuis',
    'il',
    'elle',
    'ils',
    'nous',
    'vous',
    'ans',
    'du',
    'des',
    'dans',
    'avec',
    'pour',
    'qui',
    'que',
    'ne',
    'n',
    'sais',
    'suis',
    'ai',
    'avons',
    'avez',
    'ce',
    'cette',
    'cet',
    'matin',
    'soir',
    'hier',
    'aujourd',
    'vers',
    'heures',
    'heure',
    'porte',
    'portait',
    'pantalon',
    'ecole',
    'maison',
    'rentre',
    'rentree',
    'retrouve',
    'retrouver',
    'sorti',
    'sortie',
    'parti',
    'partie',
    'son',
    'ses',
    'on',
    'au',
    'aux',
    'sur',
    'chez',
    'signaler',
    'veux',
    'voudrais',
    'faire',
    'plait',
    'mais',
    'quand',
    'comment',
    'pourquoi',
    'cheveux',
    'yeux',
    'vu',
    'vue',
    'trouve',
    'trouvee',
    'personne',
    'sans',
    'nouvelles',
    'monsieur',
    'madame',
    'moi',
    'quoi',
    'tres',
    'rien',
    'apres',
    'midi',
    'bien',
    'svp',
    'fils',
    'petit',
    'petite',
    'mere',
    'pere',
    'frere',
    'soeur',
    'annee',
    'mois',
    'jour',
    'jamais',
    'toujours',
    'encore',
    'alors',
    'parc',
    'marche',
    'quartier',
    'urgent',
    'aidez',
  ],
  ['ma', 'le', 'un', 'et', 'a', 'de', 'sa', 'merci', 'ou', 'commissariat', 'taille'],
);

/**
 * Darija in Latin letters. Greetings every Moroccan uses whatever language
 * they write in (salam, inchallah) are weak; digits standing for letters are
 * handled separately in {@link isArabiziDigitWord}.
 */
const ARABIZI = markers(
  [
    'wach',
    'wesh',
    'wash',
    'bghit',
    'bghina',
    'bgha',
    'bghat',
    'dyal',
    'dial',
    'dyali',
    'diali',
    'dyalo',
    'dialo',
    'dyalha',
    'wldi',
    'weldi',
    'wlidi',
    'wldek',
    'bnti',
    'benti',
    'bniti',
    'bntek',
    'afak',
    'khoya',
    'khouya',
    'khti',
    'khtu',
    'mchat',
    'mcha',
    'mchit',
    'mchina',
    'mchaw',
    'tlef',
    'tlf',
    'tlfat',
    'tlfet',
    'tlefna',
    'tlfna',
    'tlfat',
    'wld',
    'weld',
    'lbnt',
    'lbent',
    'chno',
    'chnou',
    'chnu',
    'achno',
    'chkoun',
    'chkon',
    'kifach',
    'kifash',
    'fen',
    'fayn',
    'daba',
    'rah',
    'raha',
    'rahi',
    'rani',
    'rahom',
    'bzaf',
    'hna',
    'lbareh',
    'lyoum',
    'lyum',
    'lyouma',
    'ghadi',
    'ghda',
    'kayn',
    'kayna',
    'kaynin',
    'makaynch',
    'mabghitch',
    'mazal',
    'mazala',
    'walo',
    'wakha',
    'waha',
    'iyeh',
    'iyah',
    'wah',
    'ewa',
    'nta',
    'nti',
    'ntoma',
    'dar',
    'ldar',
    'fdar',
    'chi',
    'chwiya',
    'chwia',
    'zwin',
    'mzyan',
    'mzian',
    'bslama',
    'ykhlik',
    'yrhm',
    'gal',
    'galt',
    'galo',
    'kant',
    'kanet',
    'kanu',
    'lqit',
    'lqina',
    'lqinah',
    'lqah',
    'nchof',
    'chaf',
    'chafha',
    'chafo',
    'snin',
    'sna',
    'nhar',
    'tani',
    'sbah',
    'lil',
    'mdrasa',
    'lmdrasa',
    'skwila',
    'drari',
    'wlad',
    'bnat',
    'khrej',
    'khrjat',
    'khrja',
    'jat',
    'wla',
    'wlla',
    'walakin',
    'bach',
    'mli',
    'melli',
    'imta',
    'chhal',
    'bhal',
    'kima',
    'lih',
    'liha',
    'lik',
    'liya',
    'lia',
    'mnin',
    'hadchi',
    'hada',
    'hadi',
    'had',
    'dak',
    'dik',
    'dok',
    'lkhir',
    'mn',
    'li',
    'lli',
    'ila',
    'kan',
    'gha',
    'ghir',
    'lbnat',
    'lwlad',
    'wlidat',
    'zn9a',
    'derb',
    'lhouma',
    'l7ouma',
    'hadik',
    'hadak',
    'labes',
    'labsa',
    'sarwal',
    'tichort',
    'lqitou',
    'lqitoh',
    'haja',
    'joj',
    'jouj',
    'jdid',
    'nbdl',
    'lougha',
    'lugha',
    'bah',
    'mo',
    'khasni',
    'ndir',
    'ndiro',
    'bnadem',
    'hnaya',
    'temma',
    'tma',
    'lhih',
    'mchaw',
  ],
  [
    'salam',
    'slm',
    'salamo',
    'alikom',
    'alikoum',
    'fin',
    'inchallah',
    'hamdullah',
    'allah',
    'labas',
    'ana',
    'safi',
    'f',
    'w',
    'b',
    'ta',
    'ki',
    'ja',
    'lila',
    'yallah',
    'mama',
    'baba',
  ],
);

/** Digit runs with a unit are numbers, not Arabizi letters: "7ans", "15h30", "2eme". */
const NUMBER_WITH_UNIT =
  /^\d+(?:h|hr|hrs|ans?|mois|mn|min|mins|cm|m|kg|km|eme|em|e|er|ere|j|jours?|heures?|s|x|dh|dhs)?\d*$/;

/**
 * A Latin-letter word using a digit as a letter (3 = ع, 7 = ح, 9 = ق, 2 = ء,
 * 5 = خ, 8 = ه): "3la", "ma3rftch", "sba7", "9bel". Such words exist in no
 * other language people write to us in.
 */
function isArabiziDigitWord(token: string): boolean {
  return /[a-z]/.test(token) && /[235789]/.test(token) && !NUMBER_WITH_UNIT.test(token);
}

const ARABIC_LETTER = /\p{Script=Arabic}/u;
const LATIN_LETTER = /\p{Script=Latin}/u;

type Scores = { ar: number; fr: number; ary: number };

/** Adds up the evidence each word gives; a word counts once, for its strongest reading. */
function score(tokens: readonly string[]): Scores {
  const scores: Scores = { ar: 0, fr: 0, ary: 0 };
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    if (ARABIC_LETTER.test(token)) {
      scores.ary += Math.max(DARIJA_ARABIC.get(token) ?? 0, darijaArabicPattern(token, previous));
      scores.ar += MSA.get(token) ?? 0;
    } else if (LATIN_LETTER.test(token)) {
      const arabizi = Math.max(
        ARABIZI.get(token) ?? 0,
        isArabiziDigitWord(token) ? 1 : 0,
        arabiziPattern(token, previous),
      );
      scores.ary += arabizi;
      // A word read as Darija is not also evidence of French ("la" is both).
      if (arabizi < 1) scores.fr += FRENCH.get(token) ?? 0;
    }
  });
  return scores;
}

/**
 * Darija morphology in Arabic script: the negation circumfix ما…ش
 * (ماعرفتش, مالقيناهش, "ما رجعش") and the genitive د + article (دالعشيه).
 */
function darijaArabicPattern(token: string, previous: string | undefined): number {
  if (/^و?ما\p{L}{2,}ش$/u.test(token)) return 1;
  if (token.endsWith('ش') && token.length >= 4 && (previous === 'ما' || previous === 'وما')) {
    return 1;
  }
  if (/^دال\p{L}{2,}$/u.test(token)) return 1;
  // ف + article ("فالسوق", "فالبحر"): Darija's "in the"; MSA writes في.
  if (/^فال\p{L}{3,}$/u.test(token)) return 0.5;
  // Present-tense prefixes ك + person (كنقلبو, كيقلب, كتقول) — weak, since a few
  // MSA words begin the same way.
  if (/^(كن|كي|كت)\p{L}{3,}$/u.test(token) && !MSA_LOOKALIKES.has(token)) return 0.5;
  return 0;
}

const MSA_LOOKALIKES = new Set(
  ['كتابه', 'كتابات', 'كيفيه', 'كنيسه', 'كيلومتر', 'كيلوغرام', 'كتيب', 'كنتم'].map((w) =>
    normalizeForMatching(w),
  ),
);

/** The Arabizi negation circumfix: "mabghitch", "marj3ch", "ma rj3ch". */
function arabiziPattern(token: string, previous: string | undefined): number {
  if (/^w?ma[a-z0-9]{2,}(ch|sh)$/.test(token) && token.length >= 6) return 1;
  if (/(ch|sh)$/.test(token) && token.length >= 4 && (previous === 'ma' || previous === 'wma')) {
    return 1;
  }
  return 0;
}

/**
 * Guesses the language of a message: Modern Standard Arabic, French or
 * Moroccan Darija (in Arabic or Latin letters).
 *
 * No npm detector knows Darija, so this counts marker words: Darija and MSA
 * vocabulary for Arabic script, French and Arabizi vocabulary for Latin
 * script, plus Arabizi's digits-as-letters and Darija's ما…ش negation. It is
 * confident only when one language clearly leads; greetings shared by everyone
 * ("السلام عليكم", "salam"), "ok", numbers and emoji give no confident answer.
 *
 * Latin text mixing French and Darija ("salam bghit n3ml déclaration 3la
 * wldi") is Darija: a French speaker does not write Darija words, while a
 * Darija speaker borrows French ones all the time.
 */
export function detectLanguage(text: string): LanguageGuess {
  const normalized = normalizeForMatching(text);
  const tokens = normalized === '' ? [] : normalized.split(' ');
  const { ar, fr, ary } = score(tokens);

  if (ary >= 2 && ary > ar && ary * 2 >= fr) return { confident: true, language: 'ary' };
  if (ar >= 2 && ar >= 2 * ary && ar >= fr) return { confident: true, language: 'ar' };
  if (fr >= 2 && fr > 2 * ary && fr > ar) return { confident: true, language: 'fr' };

  const guess = unsureGuess({ ar, fr, ary }, normalized);
  return guess === undefined ? { confident: false } : { confident: false, guess };
}

/** The most likely language when evidence is thin, or none when there is nothing to go on. */
function unsureGuess(scores: Scores, normalized: string): Language | undefined {
  const best = Math.max(scores.ar, scores.fr, scores.ary);
  const arabicScript = ARABIC_LETTER.test(normalized);
  if (best === 0) return arabicScript ? 'ar' : undefined;
  const leaders = LANGUAGES.filter((language) => scores[language] === best);
  const [only] = leaders;
  if (leaders.length === 1 && only !== undefined) return only;
  // A tie: Arabic script defaults to the written standard, Latin to Darija,
  // since an Arabizi word was enough to tie with French.
  if (arabicScript) return leaders.includes('ar') ? 'ar' : 'ary';
  return leaders.includes('ary') ? 'ary' : 'fr';
}
