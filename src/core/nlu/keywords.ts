import { normalizeForMatching, stripInvisible } from './normalize.js';

/**
 * The short answers and commands Tifli recognises in every language. These are
 * input words only: what the bot says lives in `locales/`.
 */
export type KeywordSet =
  | 'yes'
  | 'no'
  | 'unknown'
  | 'skip'
  | 'help'
  | 'cancel'
  | 'restart'
  | 'back'
  | 'language'
  | 'status'
  | 'confirm'
  | 'parent'
  | 'guardian'
  | 'other'
  | 'boy'
  | 'girl'
  | 'lang_ar'
  | 'lang_fr'
  | 'lang_ary'
  | 'none'
  | 'stop'
  | 'subscribe'
  | 'sighting';

/**
 * The words of one set, by the way people write them. Entries are written in
 * ordinary spelling (accents, hamza, apostrophes): they are folded with
 * `normalizeForMatching` when the module loads. `symbols` are whole messages
 * without any letter or digit ("?", "👍").
 */
export type Vocabulary = {
  readonly fr?: readonly string[];
  readonly ar?: readonly string[];
  /** Darija in Arabic script. */
  readonly ary?: readonly string[];
  /** Darija in Latin letters and digits. */
  readonly arabizi?: readonly string[];
  /** English basics: some people answer in English whatever we ask in. */
  readonly en?: readonly string[];
  readonly symbols?: readonly string[];
};

/** Recognition vocabulary per keyword set. */
export const KEYWORDS: Readonly<Record<KeywordSet, Vocabulary>> = {
  yes: {
    fr: [
      'oui',
      'ouais',
      'ouai',
      'wi',
      'ui',
      'si',
      'bien sûr',
      'bien sur',
      'exactement',
      'tout à fait',
      'absolument',
      'évidemment',
      "c'est ça",
      'oui c’est ça',
      'affirmatif',
    ],
    ar: ['نعم', 'أجل', 'بلى', 'طبعا', 'أكيد', 'بالتأكيد', 'صحيح', 'نعم صحيح', 'نعم أكيد'],
    ary: [
      'إيه',
      'ايه',
      'اه',
      'آه',
      'واه',
      'اه واه',
      'إيه نعم',
      'بالصح',
      'هو هداك',
      'هي هاديك',
      'ييه',
      'اييه',
    ],
    arabizi: [
      'ah',
      'iyeh',
      'iyah',
      'iyih',
      'eh',
      'wah',
      'ih',
      'na3am',
      'akid',
      'ah akid',
      'bsah',
      'bi sah',
      'b sa7',
      'hwa hadak',
      'hia hadik',
      'ah wah',
    ],
    en: ['yes', 'yeah', 'yep', 'yup'],
    symbols: ['✅', '✔', '☑'],
  },
  no: {
    fr: ['non', 'nan', 'pas du tout', 'absolument pas', 'jamais', 'négatif', 'nn', 'non non'],
    ar: ['لا', 'لا لا', 'لالا', 'كلا', 'أبدا', 'لا أبدا'],
    ary: ['ما', 'ماشي', 'لا ماشي', 'لا ما', 'حتى لا'],
    arabizi: ['la', 'lla', 'la la', 'abadan', 'la abadan', 'machi', 'la machi', 'ma'],
    en: ['no', 'nope'],
    symbols: ['❌', '✖', '✗', '👎'],
  },
  unknown: {
    fr: [
      'je sais pas',
      'je ne sais pas',
      'sais pas',
      "j'sais pas",
      'jsais pas',
      'jsp',
      'nsp',
      'chais pas',
      'aucune idée',
      'je ne sais plus',
      'je sais plus',
      "je n'en sais rien",
      'je ne me souviens pas',
      'je me souviens pas',
      'inconnu',
      'inconnue',
    ],
    ar: ['لا أعرف', 'لا اعرف', 'لا أدري', 'لا أعلم', 'لا أتذكر', 'غير معروف', 'مجهول', 'لست أدري'],
    ary: [
      'معرفتش',
      'ماعرفتش',
      'ما عرفتش',
      'معرفش',
      'ماعرفش',
      'ماعرفناش',
      'معرفناش',
      'ما عقلتش',
      'ماعقلتش',
      'معقلتش',
      'الله أعلم',
      'ما نعرف',
      'مانعرف',
      'منعرف',
    ],
    arabizi: [
      'ma3rftch',
      'ma3rfch',
      'ma3raftch',
      'ma3rafch',
      'ma3rfnach',
      'm3rftch',
      'ma 3rftch',
      'ma3rftch wallah',
      'ma39eltch',
      'ma39eltch',
      'allah a3lam',
      'lah a3lam',
      'man3rf',
      'ma n3rf',
      'ma3rfthch',
    ],
    en: ["i don't know", 'dont know', 'idk', 'unknown'],
  },
  skip: {
    fr: ['passer', 'je passe', 'passe', 'suivant', 'question suivante', 'sauter'],
    ar: ['تخطي', 'تخطى', 'تجاوز', 'التالي', 'تخطي السؤال', 'السؤال التالي'],
    ary: ['دوز', 'دوزها', 'فوت', 'فوتها', 'دوز هادي'],
    arabizi: ['duz', 'douz', 'dowz', 'douzha', 'duzha', 'fout', 'fot', 'foutha'],
    en: ['skip', 'pass', 'next'],
    symbols: ['-', '—', '–', '_'],
  },
  help: {
    fr: [
      'aide',
      'à l’aide',
      'aidez moi',
      'besoin d’aide',
      'je ne comprends pas',
      'je comprends pas',
      'j’comprends pas',
      'comment ça marche',
    ],
    ar: ['مساعدة', 'ساعدني', 'ساعدوني', 'لم أفهم', 'لا أفهم'],
    ary: ['عاون', 'عاوني', 'عاونني', 'عاونوني', 'ما فهمتش', 'مافهمتش', 'معاونة'],
    arabizi: [
      '3awn',
      '3awni',
      '3awnni',
      '3awnouni',
      '3awnoni',
      '3awnini',
      'mafhmtch',
      'ma fhmtch',
      'm3awna',
    ],
    en: ['help', 'help me'],
    symbols: ['?', '؟', '❓', '?!', '⁉'],
  },
  cancel: {
    fr: ['annuler', 'annulation', 'annule', "j'annule", 'laisse tomber', 'tout annuler'],
    ar: ['إلغاء', 'الغاء', 'ألغ', 'ألغي', 'إلغاء البلاغ', 'ألغ البلاغ'],
    ary: ['بلاش', 'لغي', 'لغيه', 'لغيها', 'نلغي', 'خليها', 'بلاش منها'],
    arabizi: ['blach', 'blash', 'nelghi', 'nlghi', 'lghi', 'lghiha', 'khliha', 'blach menha'],
    en: ['cancel'],
  },
  restart: {
    fr: [
      'recommencer',
      'on recommence',
      'recommence',
      'depuis le début',
      'du début',
      'à zéro',
      'recommencer à zéro',
      'reprendre à zéro',
      'reprendre depuis le début',
    ],
    ar: ['من الأول', 'من البداية', 'إعادة', 'ابدأ من جديد', 'البدء من جديد', 'إعادة البدء'],
    ary: [
      'عاود من اللول',
      'عاود من الأول',
      'من اللول',
      'بدا من جديد',
      'نعاودو',
      'عاود',
      'نعاودو من اللول',
    ],
    arabizi: [
      '3awd mn lowl',
      '3awd mn lewel',
      '3awd mn lwl',
      '3awd',
      'n3awdo',
      'mn lowl',
      'mn lewel',
      'mn jdid',
      'bda mn jdid',
      'n3awdo mn lowl',
    ],
    en: ['restart', 'reset', 'start over'],
  },
  back: {
    fr: ['retour', 'revenir', 'précédent', 'question précédente', 'en arrière', 'retourner'],
    ar: ['رجوع', 'ارجع', 'الرجوع', 'السابق', 'السؤال السابق', 'العودة'],
    ary: ['رجع', 'رجعني', 'رجع لور', 'لور', 'للور'],
    arabizi: ['rje3', 'rj3', 'rja3', 'rje3 lor', 'lor', 'lour', 'rj3ni'],
    en: ['back', 'previous'],
  },
  language: {
    fr: ['langue', 'langues', 'changer de langue', 'changer la langue'],
    ar: ['لغة', 'اللغة', 'تغيير اللغة'],
    ary: ['بدل اللغة', 'نبدل اللغة', 'اللوغة', 'لوغة'],
    arabizi: ['lougha', 'lugha', 'logha', 'nbdl lougha', 'bdl lougha', 'bdel lougha'],
    en: ['language', 'lang'],
  },
  status: {
    fr: [
      'statut',
      'suivi',
      'état',
      'état du dossier',
      'mon dossier',
      'du nouveau',
      'des nouvelles',
      'quoi de neuf',
      'où en est mon dossier',
      'ou en est le dossier',
    ],
    ar: [
      'حالة',
      'الحالة',
      'حالة الملف',
      'وضعية',
      'وضعية الملف',
      'ما الجديد',
      'هل من جديد',
      'أي جديد',
      'المتابعة',
      'تتبع',
    ],
    ary: [
      'شنو وقع',
      'فين وصل',
      'فين وصلات',
      'فين وصلتو',
      'جديد',
      'واش كاين جديد',
      'واش كاين شي جديد',
      'شي جديد',
      'كاين شي جديد',
    ],
    arabizi: [
      'chno w9e3',
      'chno wqe3',
      'fin wsal',
      'fin wslat',
      'fin wsltou',
      'jdid',
      'wach kayn jdid',
      'wach kayn chi jdid',
      'chi jdid',
      'kayn chi jdid',
    ],
    en: ['status'],
  },
  confirm: {
    fr: [
      'ok',
      'okay',
      'oki',
      'okey',
      "d'accord",
      'daccord',
      'dac',
      "c'est bon",
      'cest bon',
      'c bon',
      'valider',
      'je valide',
      'valide',
      'confirmer',
      'je confirme',
      'confirme',
      'envoyer',
      'oui envoyer',
      'envoie',
      'envoyez',
      "c'est correct",
      'correct',
      'parfait',
      'tout est bon',
      "c'est juste",
      'ok envoyer',
      'oui valider',
    ],
    ar: ['تأكيد', 'أؤكد', 'أرسل', 'ارسل', 'إرسال', 'موافق', 'حسنا', 'نعم أرسل', 'تمام'],
    ary: [
      'صافي',
      'واخا',
      'صيفط',
      'صيفطو',
      'صيفطها',
      'مزيان',
      'كلشي مزيان',
      'كلشي صحيح',
      'اوكي',
      'واخا صيفط',
      'صافي صيفط',
    ],
    arabizi: [
      'safi',
      'wakha',
      'waxa',
      'wakha safi',
      'sifet',
      'sift',
      'sifto',
      'sifetha',
      'mzyan',
      'kolchi mzyan',
      'tamam',
      'ok safi',
      'safi sifet',
      'wakha sifet',
    ],
    en: ['confirm', 'send', 'yes send', 'submit'],
    symbols: ['👍', '👌', '✅', '✔', '☑'],
  },
  parent: {
    fr: [
      'père',
      'mère',
      'parent',
      'parents',
      'papa',
      'maman',
      'je suis son père',
      'je suis sa mère',
      'je suis le père',
      'je suis la mère',
      'son père',
      'sa mère',
      'le père',
      'la mère',
      'le papa',
      'la maman',
      'je suis le papa',
      'je suis la maman',
      'moi le père',
      "c'est moi le père",
      "c'est moi la mère",
      'un parent',
      'les parents',
      "le père de l'enfant",
      "la mère de l'enfant",
    ],
    ar: [
      'الأب',
      'الأم',
      'أب',
      'أم',
      'أبوه',
      'أمه',
      'أنا الأب',
      'أنا الأم',
      'والده',
      'والدته',
      'الوالد',
      'الوالدة',
      'أنا والده',
      'أنا والدته',
      'أبوها',
      'أمها',
      'والدها',
      'والدتها',
      'أحد الوالدين',
      'أنا أبوه',
      'أنا أمه',
    ],
    ary: [
      'باه',
      'مو',
      'بباه',
      'باباه',
      'مامتو',
      'مماه',
      'ماماه',
      'باباها',
      'ماماها',
      'مها',
      'باها',
      'أنا باه',
      'أنا مو',
      'أنا باها',
      'أنا مها',
      'بابا',
      'ماما',
      'أنا باباه',
      'أنا مامتو',
      'الباه',
      'الموالي',
    ],
    arabizi: [
      'bah',
      'mo',
      'bbah',
      'babah',
      'mamah',
      'mamto',
      'mmah',
      'baha',
      'mha',
      'ana bah',
      'anaa bah',
      'ana mo',
      'ana baha',
      'ana mha',
      'ana babah',
      'ana mamah',
      'ana mamto',
      'baba',
      'mama',
    ],
    en: ['father', 'mother', 'dad', 'mom', 'mum'],
  },
  guardian: {
    fr: [
      'tuteur',
      'tutrice',
      'tuteur légal',
      'tutrice légale',
      'je suis son tuteur',
      'je suis sa tutrice',
      'je suis le tuteur',
      'je suis la tutrice',
      'tuteur legal',
    ],
    ar: [
      'وصي',
      'الوصي',
      'وصي قانوني',
      'الوصي القانوني',
      'كافل',
      'الكافل',
      'أنا الوصي',
      'أنا الكافل',
      'كفيل',
      'الكفيل',
      'ولي أمره',
      'ولي الأمر',
      'ولي أمرها',
    ],
    ary: ['الكافل ديالو', 'الكافل ديالها', 'كافلو', 'أنا الكافل ديالو', 'أنا الوصي عليه'],
    arabizi: [
      'wasi',
      'kafil',
      'lkafil',
      'l kafil',
      'ana lkafil',
      'ana kafil',
      'lwasi',
      'lkafil dyalo',
      'wali amr',
    ],
    en: ['guardian', 'legal guardian'],
  },
  other: {
    fr: [
      'autre',
      'autre personne',
      'oncle',
      'tante',
      'voisin',
      'voisine',
      'ami',
      'amie',
      'frère',
      'sœur',
      'soeur',
      'grand-père',
      'grand-mère',
      'cousin',
      'cousine',
      'famille',
      'enseignant',
      'enseignante',
      'professeur',
      'prof',
      'témoin',
      'passant',
      'citoyen',
      'je suis son oncle',
      'je suis sa tante',
      'je suis son frère',
      'je suis sa sœur',
      'un voisin',
      'un ami',
      'je suis un voisin',
      'nounou',
    ],
    ar: [
      'آخر',
      'شخص آخر',
      'عم',
      'عمة',
      'خال',
      'خالة',
      'جار',
      'جارة',
      'أخ',
      'أخت',
      'الأخ',
      'الأخت',
      'صديق',
      'صديقة',
      'جد',
      'جدة',
      'الجد',
      'الجدة',
      'قريب',
      'قريبة',
      'من العائلة',
      'معلم',
      'أستاذ',
      'أنا عمه',
      'أنا خاله',
    ],
    ary: [
      'خو',
      'خوه',
      'ختو',
      'خوها',
      'ختها',
      'عمو',
      'خالو',
      'عمتو',
      'خالتو',
      'الجار',
      'جارو',
      'جدو',
      'جدتو',
      'صاحبو',
      'صاحب',
      'واحد آخر',
      'شي واحد آخر',
      'حد آخر',
      'أنا خوه',
      'أنا ختو',
      'أنا عمو',
      'أنا خالو',
      'أنا جارو',
    ],
    arabizi: [
      'khal',
      '3am',
      'jar',
      'khoh',
      'khtah',
      'khoha',
      'khtha',
      '3amo',
      'khalo',
      '3amto',
      'khalto',
      'jaro',
      'jddo',
      'sa7bo',
      'sahbo',
      'sa7ebo',
      'chi wahed akhor',
      'akhor',
      'wa7ed akhor',
      'ana khoh',
      'ana khtah',
      'ana 3amo',
      'ana khalo',
      'ana jaro',
    ],
    en: ['other', 'uncle', 'aunt', 'neighbour', 'neighbor', 'friend', 'brother', 'sister'],
  },
  boy: {
    fr: [
      'garçon',
      'garcon',
      'fils',
      'masculin',
      'm',
      'un garçon',
      "c'est un garçon",
      'mon fils',
      'gars',
      'mâle',
      'petit garçon',
    ],
    ar: ['ولد', 'ذكر', 'صبي', 'ابن', 'الولد', 'ابني', 'طفل ذكر'],
    ary: ['ولدي', 'دري', 'وليد', 'ولد ذكر'],
    arabizi: [
      'wld',
      'weld',
      'wlad',
      'wlid',
      'wldi',
      'weldi',
      'dri',
      'derri',
      'dker',
      'dkar',
      'dakar',
    ],
    en: ['boy', 'male', 'son'],
  },
  girl: {
    fr: [
      'fille',
      'f',
      'féminin',
      'une fille',
      "c'est une fille",
      'ma fille',
      'fillette',
      'petite fille',
    ],
    ar: ['بنت', 'أنثى', 'فتاة', 'طفلة', 'ابنة', 'ابنتي', 'البنت'],
    ary: ['بنتي', 'بنيتة', 'بنيتي'],
    arabizi: ['bnt', 'bent', 'bint', 'bnti', 'benti', 'bniya', 'bnita', 'tfla', 'tofla'],
    en: ['girl', 'female', 'daughter'],
  },
  lang_ar: {
    fr: ['arabe', 'arabe classique', 'arabe littéraire', 'arabe standard', 'ar'],
    ar: [
      'العربية',
      'عربية',
      'عربي',
      'العربي',
      'الفصحى',
      'العربية الفصحى',
      'بالعربية',
      'بالعربية الفصحى',
    ],
    arabizi: ['3arabiya', 'l3arabiya', 'l3arbia', '3arbia', 'fos7a', 'fus7a', 'lfos7a'],
    en: ['arabic', 'standard arabic'],
  },
  lang_fr: {
    fr: ['français', 'francais', 'fr', 'en français', 'la langue française'],
    ar: ['الفرنسية', 'فرنسية', 'بالفرنسية', 'فرنسي'],
    ary: ['بالفرونسي', 'فرونسي', 'الفرونسية', 'بالفرنسوية'],
    arabizi: [
      'fransawiya',
      'fransaouia',
      'fransawia',
      'lfransawiya',
      'bel fransawiya',
      'bl fransawiya',
      'fransi',
    ],
    en: ['french'],
  },
  lang_ary: {
    fr: ['darija', 'arabe marocain', 'marocain', 'en darija', 'dialecte marocain'],
    ar: ['الدارجة', 'دارجة', 'بالدارجة', 'الدارجة المغربية', 'المغربية', 'العامية'],
    ary: ['الداريجة', 'بالداريجة', 'داريجة'],
    arabizi: [
      'derija',
      'darja',
      'ddarija',
      'b darija',
      'bdarija',
      'bddarija',
      'maghribiya',
      'lmaghribiya',
      'darija maghribiya',
      'dareja',
    ],
    en: ['moroccan', 'moroccan arabic'],
  },
  none: {
    fr: [
      'aucun',
      'aucune',
      'rien',
      'non rien',
      'rien du tout',
      'personne',
      'nada',
      'il n’y a rien',
      'pas de',
    ],
    ar: ['لا شيء', 'لاشيء', 'لا يوجد', 'لا يوجد شيء', 'لا أحد', 'لا شيء يذكر'],
    ary: [
      'والو',
      'لا والو',
      'ما كاين والو',
      'ماكاين والو',
      'ماكاين حتى شي',
      'حتى شي',
      'حتى حاجة',
      'حتى واحد',
      'والو والو',
    ],
    arabizi: [
      'walo',
      'walou',
      'la walo',
      'makayn walo',
      'ma kayn walo',
      'makayn hta chi',
      'hta chi',
      '7ta chi',
      'hta haja',
      '7ta 7aja',
      'hta wahed',
      '7ta wa7ed',
    ],
    en: ['none', 'nothing', 'no one', 'nobody'],
  },
  stop: {
    fr: [
      'arrêt',
      'arret',
      'arrêter',
      'arreter',
      'arrête',
      'arrêtez',
      'stopper',
      'désabonner',
      'se désabonner',
      'désabonnement',
      'désinscription',
      'me désinscrire',
      'je ne veux plus',
    ],
    ar: ['توقف', 'أوقف', 'إيقاف', 'إلغاء الاشتراك', 'الغاء الاشتراك', 'أوقفوا الرسائل'],
    ary: ['باراكا', 'صافي باراكا', 'حبس', 'وقف', 'بركا', 'صافي بركا'],
    arabizi: ['baraka', 'safi baraka', 'barka', '7bes', 'hbes', '7bs', 'w9ef', 'wqef'],
    en: ['stop', 'unsubscribe'],
  },
  subscribe: {
    fr: [
      'alerte',
      'alertes',
      "m'abonner",
      'abonner',
      'abonnement',
      "je veux m'abonner",
      'recevoir les alertes',
      'je veux recevoir les alertes',
      'les alertes',
      "s'abonner",
      'inscription aux alertes',
    ],
    ar: ['اشتراك', 'الاشتراك', 'تنبيهات', 'التنبيهات', 'أريد التنبيهات', 'أريد الاشتراك'],
    ary: ['بغيت التنبيهات', 'نشترك', 'بغيت نشترك', 'التنبيهات عافاك', 'بغيت الأليرط'],
    arabizi: [
      'bghit les alertes',
      'bghit alertes',
      'bghit lalertes',
      'nchtarek',
      'nchtrek',
      'bghit nchtarek',
      'bghit nchtrek',
      'alertat',
      'tanbihat',
    ],
    en: ['alerts', 'subscribe'],
  },
  sighting: {
    fr: [
      "j'ai vu",
      'je l’ai vu',
      "je l'ai vue",
      "j'ai des informations",
      "j'ai une information",
      "j'ai vu l'enfant",
      'information',
      'informations',
      'je sais où il est',
      'je sais où elle est',
    ],
    ar: ['شاهدت', 'رأيت', 'لدي معلومات', 'لدي معلومة', 'شاهدته', 'شاهدتها', 'رأيته', 'رأيتها'],
    ary: ['شفتو', 'شفتها', 'شفت', 'عندي معلومة', 'عندي معلومات', 'شفت الطفل', 'شفت البنت'],
    arabizi: [
      'chft',
      'chefto',
      'chafto',
      'chftou',
      'chftha',
      'cheftha',
      'chefet',
      '3ndi m3loma',
      '3ndi m3lomat',
      '3endi m3louma',
      '3ndi ma3loma',
    ],
    en: ['i saw', 'i have information', 'sighting'],
  },
};

/** Courtesy words that may surround an answer ("non merci", "oui 3afak", "شكرا، لا"). */
const COURTESY = new Set(
  [
    'merci',
    'svp',
    'stp',
    'merci beaucoup',
    'shukran',
    'chokran',
    'choukran',
    'chukran',
    'شكرا',
    'عافاك',
    '3afak',
    'afak',
    'please',
    'pls',
    'thanks',
    'thank you',
    'الله يخليك',
    'allah ykhlik',
    'من فضلك',
    'بارك الله فيك',
    'جزاك الله خيرا',
  ].map(normalizeForMatching),
);

/** Skin-tone modifiers, variation selectors and spaces: none changes what a symbol means. */
const SYMBOL_NOISE = /\s|\uFE0E|\uFE0F|[\u{1F3FB}-\u{1F3FF}]/gu;

/** The form a letterless message is compared in: no noise, repeated characters once ("??" → "?"). */
function symbolForm(text: string): string {
  const chars = [...stripInvisible(text).replace(SYMBOL_NOISE, '')];
  return chars.filter((char, index) => char !== chars[index - 1]).join('');
}

type CompiledSet = { words: ReadonlySet<string>; symbols: ReadonlySet<string> };

/** Folds every list once; a word that folds to nothing belongs in `symbols` instead. */
function compile(vocabulary: Vocabulary, set: KeywordSet): CompiledSet {
  const words = new Set<string>();
  const lists = [vocabulary.fr, vocabulary.ar, vocabulary.ary, vocabulary.arabizi, vocabulary.en];
  for (const word of lists.flatMap((list) => list ?? [])) {
    const folded = normalizeForMatching(word);
    if (folded === '') throw new Error(`keyword "${word}" of "${set}" has no letters`);
    words.add(folded);
  }
  return { words, symbols: new Set((vocabulary.symbols ?? []).map(symbolForm)) };
}

// Compiled eagerly so that a badly written list fails at start-up, not mid-conversation.
const COMPILED = new Map<KeywordSet, CompiledSet>(
  Object.entries(KEYWORDS).flatMap(
    ([set, vocabulary]): Array<[KeywordSet, CompiledSet]> =>
      isKeywordSet(set) ? [[set, compile(vocabulary, set)]] : [],
  ),
);

function isKeywordSet(name: string): name is KeywordSet {
  return Object.hasOwn(KEYWORDS, name);
}

/**
 * Whether the message begins with a word or phrase of the set ("j'ai vu un
 * garçon devant la gare" begins with `sighting`). Whole phrases only, up to
 * four words: "chefchaouen" does not begin with "chft".
 */
export function beginsWithKeyword(set: KeywordSet, text: string): boolean {
  const compiled = COMPILED.get(set);
  if (!compiled) return false;
  const words = normalizeForMatching(text).split(' ').filter(Boolean);
  for (let length = Math.min(4, words.length); length >= 1; length--) {
    if (compiled.words.has(words.slice(0, length).join(' '))) return true;
  }
  return false;
}

/** The message's words with one courtesy word or phrase removed from either end. */
function withoutCourtesy(words: readonly string[]): string[] {
  let start = 0;
  let end = words.length;
  for (let length = 3; length >= 1; length--) {
    if (end - start > length && COURTESY.has(words.slice(start, start + length).join(' '))) {
      start += length;
      break;
    }
  }
  for (let length = 3; length >= 1; length--) {
    if (end - start > length && COURTESY.has(words.slice(end - length, end).join(' '))) {
      end -= length;
      break;
    }
  }
  return words.slice(start, end);
}

/**
 * Whether the whole message is one of the words of a set, in any language:
 * "Oui !", "wah", "إيه", "نعم" are `yes`; "ok" is `confirm`, not `yes`.
 *
 * The message is compared after `normalizeForMatching` (case, accents,
 * diacritics, RTL marks, Arabic-Indic digits and repeated letters do not
 * matter), with a word repeated in a row counted once ("non non") and a
 * courtesy word at either end ignored ("non merci", "wakha 3afak"). A message
 * that only contains the word somewhere in a sentence does not match: "Laila"
 * is not "la" (no), and "je ne sais pas où il est" is not `unknown`.
 */
export function matchesKeyword(set: KeywordSet, text: string): boolean {
  const compiled = COMPILED.get(set);
  if (!compiled) return false;
  const forms = matchingForms(text);
  if (forms.symbol !== undefined) return compiled.symbols.has(forms.symbol);
  return forms.words.some((form) => compiled.words.has(form));
}

/** The forms a message is compared in: as normalized, repeats dropped, courtesy words dropped. */
interface MatchingForms {
  symbol?: string;
  words: string[];
}

// A turn asks about the same message for several sets in a row (the anytime
// words, then the question's own), so the last message's forms are kept.
let lastText: string | undefined;
let lastForms: MatchingForms = { words: [] };

function matchingForms(text: string): MatchingForms {
  if (text === lastText) return lastForms;
  const normalized = normalizeForMatching(text);
  let forms: MatchingForms;
  if (normalized === '') {
    forms = { symbol: symbolForm(text), words: [] };
  } else {
    const words = normalized
      .split(' ')
      .filter((word, index, all) => index === 0 || word !== all[index - 1]);
    forms = { words: [normalized, words.join(' '), withoutCourtesy(words).join(' ')] };
  }
  lastText = text;
  lastForms = forms;
  return forms;
}
