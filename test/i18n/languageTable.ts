import type { Language } from '../../src/core/nlu/language.js';

/**
 * One message as a parent or a citizen would send it, and what
 * `detectLanguage` should say: a language when the evidence is clear,
 * `'unsure'` otherwise (then `guess`, when given, is the expected guess, and
 * `null` means "no guess at all").
 */
export type LanguageCase = { text: string; expected: Language | 'unsure'; guess?: Language | null };

/** Modern Standard Arabic. */
const ar: LanguageCase[] = [
  { text: 'السلام عليكم، ابني مفقود منذ صباح اليوم', expected: 'ar' },
  { text: 'أريد الإبلاغ عن اختفاء طفلي', expected: 'ar' },
  { text: 'ابنتي لم تعد من المدرسة حتى الآن', expected: 'ar' },
  { text: 'من فضلك ساعدوني، ابني اختفى أمس في السوق', expected: 'ar' },
  { text: 'هل يمكنني تقديم بلاغ عن طفل مفقود؟', expected: 'ar' },
  { text: 'لقد خرج ابني للعب ولم يعد', expected: 'ar' },
  { text: 'ابنتي عمرها ثماني سنوات وكانت ترتدي فستانا أزرق', expected: 'ar' },
  { text: 'أين يمكنني أن أبلغ عن اختفاء ابني؟', expected: 'ar' },
  { text: '\u200fابني يبلغ من العمر ١٠ سنوات', expected: 'ar' },
  { text: 'اختفت ابنتي بعد خروجها من المدرسة', expected: 'ar' },
  { text: 'لا أعرف أين ذهب ابني', expected: 'ar' },
  { text: 'نحن نبحث عن طفلنا منذ ساعتين', expected: 'ar' },
  { text: 'ماذا يجب أن أفعل؟ طفلي مفقود 😢', expected: 'ar' },
  { text: 'أرجو المساعدة، ابنتي الصغيرة ضاعت في الشاطئ', expected: 'ar' },
  { text: 'ابني مصاب بالتوحد ولا يتكلم، وقد اختفى منذ الظهر', expected: 'ar' },
  { text: 'هل هناك أي جديد بخصوص ابني؟', expected: 'ar' },
  { text: 'ذهبت ابنتي إلى بيت جدتها ولم تصل', expected: 'ar' },
  { text: 'كان يرتدي سروالا أسود وقميصا أبيض عندما خرج', expected: 'ar' },
  { text: 'الطفل مفقود منذ يوم أمس', expected: 'ar' },
  { text: 'أنا والدة الطفلة المفقودة، أرجو أن تساعدوني', expected: 'ar' },
  { text: 'اختفى أخي الصغير البالغ من العمر ست سنوات', expected: 'ar' },
  { text: 'لم نجد ابننا في أي مكان', expected: 'ar' },
  { text: 'إبنـــي مفقـــود!!! ساعدوني', expected: 'ar' },
];

/** French, as typed on a phone: accents often missing, abbreviations. */
const fr: LanguageCase[] = [
  { text: 'Bonjour, mon fils a disparu ce matin', expected: 'fr' },
  { text: 'bonjour ma fille est perdue au marche', expected: 'fr' },
  { text: "Mon fils de 7 ans n'est pas rentre de l'ecole", expected: 'fr' },
  { text: 'Je veux signaler la disparition de mon enfant', expected: 'fr' },
  { text: 'svp aidez moi je trouve pas ma fille 😭😭', expected: 'fr' },
  { text: 'Elle portait un pantalon bleu et un pull rouge', expected: 'fr' },
  { text: "il est sorti vers 15h et il n'est jamais revenu", expected: 'fr' },
  { text: 'Ma fille a disparu depuis hier soir', expected: 'fr' },
  { text: 'Bonsoir, je suis la mère de Yasmine', expected: 'fr' },
  { text: "on l'a vu pour la derniere fois pres du parc", expected: 'fr' },
  { text: 'Est-ce que vous avez des nouvelles ?', expected: 'fr' },
  { text: 'mon petit frere est perdu à la plage de Ain Diab', expected: 'fr' },
  { text: "Je ne sais pas ce qu'il portait", expected: 'fr' },
  { text: 'Il a les cheveux courts et les yeux marron', expected: 'fr' },
  { text: 'Merci beaucoup pour votre aide', expected: 'fr' },
  { text: 'Mon fils est autiste, il ne parle pas', expected: 'fr' },
  { text: "c'est urgent, ma fille de 5ans n'est pas rentree", expected: 'fr' },
  { text: 'Je suis son pere, on habite a Sale', expected: 'fr' },
  { text: 'Ils sont partis à la mosquée et mon fils n’est pas revenu', expected: 'fr' },
  { text: 'bjr mon fils a disparu', expected: 'fr' },
  { text: "J'ai perdu mon fils au centre commercial Morocco Mall", expected: 'fr' },
  { text: 'Ma nièce a disparu depuis 2 jours, elle a 14 ans', expected: 'fr' },
  { text: "Je voudrais annuler le signalement, on l'a retrouvé 🙏", expected: 'fr' },
  { text: 'BONJOUR MON FILS EST PERDU AIDEZ MOI', expected: 'fr' },
  { text: 'mon fis a disparu ce matin', expected: 'fr' },
  {
    text: 'Bonjour, ma fille a disparu ce matin, 3afak aidez-moi, je ne sais plus quoi faire',
    expected: 'fr',
  },
];

/** Darija in Arabic script. */
const aryArabic: LanguageCase[] = [
  { text: 'السلام عليكم، ولدي تلف ليا فالسوق', expected: 'ary' },
  { text: 'بنتي خرجات من المدرسة وما رجعاتش', expected: 'ary' },
  { text: 'عافاك بغيت نبلغ على ولدي', expected: 'ary' },
  { text: 'واش كاين شي جديد على بنتي؟', expected: 'ary' },
  { text: 'ولدي عندو 6 سنين ومشا يلعب ومابقاش رجع', expected: 'ary' },
  { text: 'كنقلبو عليه من الصباح وما لقيناهش', expected: 'ary' },
  { text: 'راه ماشي أول مرة كيهرب من الدار', expected: 'ary' },
  { text: 'خويا الصغير تلف فالبحر دابا', expected: 'ary' },
  { text: 'الله يخليك عاونوني، بنتي ضاعت', expected: 'ary' },
  { text: 'شنو خاصني ندير باش نبلغ؟', expected: 'ary' },
  { text: 'كان لابس سروال كحل وتيشورت حمر', expected: 'ary' },
  { text: 'ماعرفتش فين مشا', expected: 'ary' },
  { text: 'بنتي عندها ٩ سنين، تلفات البارح فالعشية', expected: 'ary' },
  { text: 'هادي ساعتين وحنا كنقلبو على الوليد', expected: 'ary' },
  { text: '\u202bولدي مازال ما رجعش للدار\u202c', expected: 'ary' },
  { text: 'ولدي خرج من الدار الصباح وما رجعش', expected: 'ary' },
  { text: 'ولدي tlef f la plage 😢', expected: 'ary' },
];

/** Darija in Latin letters (Arabizi), alone or mixed with French. */
const aryLatin: LanguageCase[] = [
  { text: 'salam bghit n3ml déclaration 3la wldi', expected: 'ary' },
  { text: 'wldi tlef lia f souk', expected: 'ary' },
  { text: "3afak bnti mchat l'ecole o ma rj3atch", expected: 'ary' },
  { text: 'slm khoya wach kayn chi jdid?', expected: 'ary' },
  { text: 'wldi 3ndo 7 snin, lbare7 f l3chiya khrej w ma rj3ch', expected: 'ary' },
  { text: 'ana bah dyalo', expected: 'ary' },
  { text: 'ma3rftch fin mcha', expected: 'ary' },
  { text: 'bnti tlfat lia f la plage dyal Agadir 😭', expected: 'ary' },
  { text: 'kan labes sarwal k7al o tichort 7mer', expected: 'ary' },
  { text: '3awnouni 3afakom wlidi tlef', expected: 'ary' },
  { text: 'wesh lqitou chi haja?', expected: 'ary' },
  { text: "Salam, mon fils tlef lyoum f l'ecole", expected: 'ary' },
  { text: 'daba hadi joj sa3at ma lqinahch', expected: 'ary' },
  { text: 'WLDI TLEF 3AFAK', expected: 'ary' },
  { text: 'bghit nbdl lougha', expected: 'ary' },
  { text: "wldi mcha l'ecole ce matin w ma rj3ch", expected: 'ary' },
];

/** Too little to go on: the caller asks with the language menu. */
const unsure: LanguageCase[] = [
  { text: 'السلام عليكم', expected: 'unsure', guess: 'ar' },
  { text: 'سلام', expected: 'unsure', guess: 'ar' },
  { text: 'salam', expected: 'unsure', guess: 'ary' },
  { text: 'Salam alikoum', expected: 'unsure', guess: 'ary' },
  { text: 'ok', expected: 'unsure', guess: null },
  { text: '1', expected: 'unsure', guess: null },
  { text: '👍', expected: 'unsure', guess: null },
  { text: '🙏🙏', expected: 'unsure', guess: null },
  { text: '\u200f\u200f', expected: 'unsure', guess: null },
  { text: 'Yassine', expected: 'unsure', guess: null },
  { text: '؟', expected: 'unsure', guess: null },
  { text: 'Merci', expected: 'unsure', guess: 'fr' },
  { text: '0612345678', expected: 'unsure', guess: null },
  { text: 'Casablanca', expected: 'unsure', guess: null },
  { text: 'محمد', expected: 'unsure', guess: 'ar' },
  { text: 'Bonjour', expected: 'unsure', guess: 'fr' },
  { text: 'wldi', expected: 'unsure', guess: 'ary' },
  { text: 'merci bzaf', expected: 'unsure', guess: 'ary' },
  { text: 'نعم', expected: 'unsure', guess: 'ar' },
];

/** Every case, grouped by expected answer. */
export const languageTable: readonly LanguageCase[] = [
  ...ar,
  ...fr,
  ...aryArabic,
  ...aryLatin,
  ...unsure,
];
