import type { Language } from './language.js';
import { normalizeForMatching } from './normalize.js';

/**
 * What a person asks about their data: the menu of their rights, or one of
 * them directly (see, correct, erase).
 */
export type RightsAsk = 'menu' | 'access' | 'rectify' | 'erase';

type PhraseLists = {
  readonly fr: readonly string[];
  readonly ar: readonly string[];
  /** Darija in Arabic script. */
  readonly ary: readonly string[];
  /** Darija in Latin letters. */
  readonly arabizi: readonly string[];
  readonly en: readonly string[];
};

/**
 * Whole messages that ask about one's data. Only phrases nobody would type
 * as the answer to a report's question: "mes données" is one, "données" alone
 * is not. A leading "je veux" / "أريد" / "بغيت" / "bghit" and a greeting or a
 * courtesy word around them are allowed (see {@link recognizeRightsAsk}).
 */
export const RIGHTS_PHRASES: Readonly<Record<RightsAsk, PhraseLists>> = {
  menu: {
    fr: [
      'mes données',
      'mes données personnelles',
      'données personnelles',
      'mes informations personnelles',
      'protection des données',
      'protection de mes données',
      'mes droits sur mes données',
      'loi 09-08',
      'loi 09 08',
    ],
    ar: [
      'معطياتي',
      'معطياتي الشخصية',
      'بياناتي',
      'بياناتي الشخصية',
      'المعطيات الشخصية',
      'حماية المعطيات الشخصية',
      'حقوقي في حماية المعطيات',
      'القانون 09-08',
    ],
    ary: ['المعطيات ديالي', 'المعطيات الشخصية ديالي', 'البيانات ديالي', 'المعلومات الشخصية ديالي'],
    arabizi: [
      'les données dyali',
      'données dyali',
      'les infos dyali',
      'lma3tayat dyali',
      'l ma3tayat dyali',
      'lbayanat dyali',
      'lma3lomat dyali',
    ],
    en: ['my data', 'my personal data'],
  },
  access: {
    fr: [
      'voir mes données',
      'consulter mes données',
      'accéder à mes données',
      'accès à mes données',
      'droit d’accès',
      "droit d'accès à mes données",
      'quelles données avez-vous sur moi',
      'quelles informations avez-vous sur moi',
      'que savez-vous sur moi',
      "qu'avez-vous sur moi",
      'voir mes informations personnelles',
    ],
    ar: [
      'الاطلاع على معطياتي',
      'الاطلاع على بياناتي',
      'رؤية معطياتي',
      'رؤية بياناتي',
      'عرض بياناتي',
      'حق الولوج إلى معطياتي',
      'ما هي المعطيات التي لديكم عني',
      'ما هي البيانات التي لديكم عني',
      'ماذا تعرفون عني',
    ],
    ary: [
      'نشوف المعطيات ديالي',
      'نشوف البيانات ديالي',
      'نشوف المعلومات ديالي',
      'نشوف شنو عندكم عليا',
      'وريني المعطيات ديالي',
      'شنو عندكم عليا',
      'أشنو عندكم عليا',
      'شنو مسجل عندكم عليا',
    ],
    arabizi: [
      'nchouf les données dyali',
      'nchof les données dyali',
      'nchouf données dyali',
      'nchouf les infos dyali',
      'nchouf lma3tayat dyali',
      'nchouf lma3lomat dyali',
      'werini les données dyali',
      'chno 3ndkom 3liya',
      'achno 3ndkom 3liya',
      'chnou 3andkom 3lia',
    ],
    en: ['see my data', 'show my data', 'what data do you have about me'],
  },
  rectify: {
    fr: [
      'corriger mes données',
      'rectifier mes données',
      'modifier mes données',
      'corriger mes informations',
      'corriger mon signalement',
      'rectifier mon signalement',
      'droit de rectification',
      'il y a une erreur dans mes données',
      'il y a une erreur dans mon signalement',
    ],
    ar: [
      'تصحيح معطياتي',
      'تصحيح بياناتي',
      'تعديل معطياتي',
      'تعديل بياناتي',
      'تصحيح البلاغ',
      'حق التصحيح',
      'هناك خطأ في معطياتي',
    ],
    ary: [
      'نصحح المعطيات ديالي',
      'نصلح المعطيات ديالي',
      'نبدل المعطيات ديالي',
      'نصحح البلاغ',
      'نصلح البلاغ',
      'كاين غلط فالمعطيات ديالي',
      'كاين شي غلط فالمعطيات ديالي',
    ],
    arabizi: [
      'nsa7a7 les données dyali',
      'nsahah les données dyali',
      'nsle7 les données dyali',
      'nsla7 les données dyali',
      'nbdel les données dyali',
      'kayn ghalat f les données dyali',
      'kayn ghlat f les données dyali',
    ],
    en: ['correct my data', 'fix my data'],
  },
  erase: {
    fr: [
      'supprimer mes données',
      'effacer mes données',
      'supprimez mes données',
      'effacez mes données',
      'suppression de mes données',
      'effacement de mes données',
      "droit à l'effacement",
      "droit à l'oubli",
      'oubliez-moi',
    ],
    ar: [
      'حذف معطياتي',
      'حذف بياناتي',
      'مسح معطياتي',
      'مسح بياناتي',
      'احذفوا بياناتي',
      'امسحوا بياناتي',
      'الحق في المسح',
      'الحق في النسيان',
    ],
    ary: [
      'نمسح المعطيات ديالي',
      'تمسحو المعطيات ديالي',
      'مسحو المعطيات ديالي',
      'مسحو البيانات ديالي',
      'نحيد المعطيات ديالي',
      'حيدو المعطيات ديالي',
    ],
    arabizi: [
      'nmse7 les données dyali',
      'nmsah les données dyali',
      'tmes7o les données dyali',
      'mse7o les données dyali',
      'msehou les données dyali',
      '7aydo les données dyali',
      'n7ayed les données dyali',
    ],
    en: ['delete my data', 'erase my data'],
  },
};

/** "I want", "I would like": the request may begin with one of these. */
const WANT_WORDS = [
  'je veux',
  'je voudrais',
  "j'aimerais",
  'je souhaite',
  'comment',
  'أريد',
  'أود',
  'بغيت',
  'بغيت غير',
  'bghit',
  'bghit ghir',
  'i want to',
].map(normalizeForMatching);

/** Greetings before, courtesy after ("salam, mes données svp"). */
const AROUND_WORDS = [
  'bonjour',
  'salut',
  'salam',
  'slm',
  'salam alaykom',
  'السلام عليكم',
  'سلام',
  'مرحبا',
  'svp',
  'stp',
  "s'il vous plaît",
  'merci',
  'عافاك',
  '3afak',
  'من فضلك',
  'شكرا',
  'please',
].map(normalizeForMatching);

type Origin = keyof PhraseLists;
const LANGUAGE_OF: Readonly<Record<Origin, Language | null>> = {
  fr: 'fr',
  ar: 'ar',
  ary: 'ary',
  arabizi: 'ary',
  en: null,
};

const COMPILED = new Map<string, { ask: RightsAsk; language: Language | null }>();
const ASKS: readonly RightsAsk[] = ['menu', 'access', 'rectify', 'erase'];
const ORIGINS: readonly Origin[] = ['fr', 'ar', 'ary', 'arabizi', 'en'];
for (const ask of ASKS) {
  for (const origin of ORIGINS) {
    for (const phrase of RIGHTS_PHRASES[ask][origin]) {
      const folded = normalizeForMatching(phrase);
      const known = COMPILED.get(folded);
      if (known && known.ask !== ask) {
        throw new Error(`rights phrase "${phrase}" means both ${known.ask} and ${ask}`);
      }
      COMPILED.set(folded, { ask, language: LANGUAGE_OF[origin] });
    }
  }
}

/** The words of `text` without one of `words` at its start (or end), longest first. */
function strip(text: string, words: readonly string[], end: 'start' | 'end'): string {
  for (const word of [...words].sort((a, b) => b.length - a.length)) {
    if (end === 'start' && text.startsWith(`${word} `)) return text.slice(word.length + 1);
    if (end === 'end' && text.endsWith(` ${word}`)) return text.slice(0, -word.length - 1);
  }
  return text;
}

/**
 * The request about one's data a whole message is, and the language its
 * phrase is in (`null` for English): "mes données" is the menu, "بغيت نشوف
 * المعطيات ديالي" and "bghit nchouf les données dyali" are access in Darija.
 * A sentence that merely contains such words is not a request.
 */
export function recognizeRightsAsk(
  text: string,
): { ask: RightsAsk; language: Language | null } | null {
  let form = normalizeForMatching(text);
  if (form === '') return null;
  form = strip(strip(form, AROUND_WORDS, 'start'), AROUND_WORDS, 'end');
  return COMPILED.get(form) ?? COMPILED.get(strip(form, WANT_WORDS, 'start')) ?? null;
}
