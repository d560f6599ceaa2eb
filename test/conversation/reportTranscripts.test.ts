import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '../../src/core/nlu/language.js';
import { expectAsked, JPEG_BYTES, type Outgoing, PNG_1PX, say, sentence } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The whole report, as a family would type it, in each language — Darija
 * both in Arabic script and in Arabizi — checked turn by turn (the question
 * asked, in the family's language) and then in the stored case document.
 * The clock is 2026-11-28 16:00 UTC, 17:00 in Casablanca.
 */
interface Transcript {
  name: string;
  language: Language;
  from: string;
  /** Each message and the question it should lead to (`summary`, `done`, or a node id). */
  steps: Array<[Outgoing, string]>;
  expectCase: Record<string, unknown>;
}

const transcripts: Transcript[] = [
  {
    name: 'French',
    language: 'fr',
    from: '+212600000101',
    steps: [
      ['Bonjour, mon fils a disparu, aidez moi svp', 'consent'],
      ['oui', 'relationship'],
      ['1', 'reporter_name'],
      ['Karima Bennani', 'child_name'],
      ['Yassine Bennani', 'child_sex'],
      ['garçon', 'child_age'],
      ['sept ans', 'child_photo'],
      [{ image: { mimeType: 'image/png', dataBase64: PNG_1PX } }, 'child_height'],
      ['1m20', 'child_build'],
      ['mince', 'child_hair'],
      ['cheveux noirs courts', 'child_marks'],
      ['passer', 'child_clothing'],
      ['t-shirt rouge, jean bleu, baskets blanches', 'last_seen_at'],
      ["aujourd'hui 15h", 'last_seen_place'],
      [
        { location: { latitude: 33.5731, longitude: -7.5898, name: 'Place Mohammed V' } },
        'circumstances',
      ],
      ["Il jouait au ballon devant l'immeuble pendant que je faisais les courses.", 'abduction'],
      ['non', 'child_phone'],
      ['non', 'hobbies'],
      ['le football et les jeux vidéo', 'problems'],
      ['passer', 'places'],
      ['chez son cousin à Hay Riad, le terrain de foot du quartier', 'friends'],
      ['Adam et Rayan, de sa classe', 'health'],
      ['asthme, il a besoin de son inhalateur', 'previous'],
      ['non', 'summary'],
      ['5', 'child_age'],
      ['8', 'summary'],
      ['OK', 'done'],
    ],
    expectCase: {
      'reporter.name': 'Karima Bennani',
      'reporter.relationship': 'parent',
      'child.fullName': 'Yassine Bennani',
      'child.sex': 'boy',
      'child.age': { years: 8 },
      'child.photoId': createHash('sha256').update(Buffer.from(PNG_1PX, 'base64')).digest('hex'),
      'child.heightCm': 120,
      'child.marks': null,
      'child.phone': null,
      'child.problems': null,
      'child.health': 'asthme, il a besoin de son inhalateur',
      'child.previousDisappearances': false,
      'lastSeen.at': new Date('2026-11-28T14:00:00Z'),
      'lastSeen.place': {
        kind: 'pin',
        latitude: 33.5731,
        longitude: -7.5898,
        name: 'Place Mohammed V',
      },
      'lastSeen.city': null,
      'abduction.suspected': 'no',
      'priority.level': 'critical',
    },
  },
  {
    name: 'Modern Standard Arabic with Arabic-Indic digits',
    language: 'ar',
    from: '+212600000102',
    steps: [
      ['السلام عليكم، أريد الإبلاغ عن اختفاء ابنتي', 'consent'],
      ['نعم', 'relationship'],
      ['١', 'reporter_name'],
      ['فاطمة الزهراء العلوي', 'child_name'],
      ['سلمى العلوي', 'child_sex'],
      ['٢', 'child_age'],
      ['٥ سنوات', 'child_photo'],
      ['تخطي', 'child_height'],
      ['١١٠ سم', 'child_build'],
      ['نحيفة', 'child_hair'],
      ['شعر بني طويل مربوط', 'child_marks'],
      ['ندبة صغيرة على الجبين', 'child_clothing'],
      ['فستان وردي وحذاء أبيض', 'last_seen_at'],
      ['28/11/2026 14:30', 'last_seen_place'],
      ['أمام المدرسة الابتدائية ابن خلدون، حي السلام', 'last_seen_city'],
      ['سلا', 'circumstances'],
      ['خرجت من المدرسة ولم تصل إلى المنزل', 'abduction'],
      ['نعم', 'suspect'],
      ['رجل في سيارة بيضاء من نوع داسيا', 'child_phone'],
      ['٠٦١٢٣٤٥٦٧٨', 'hobbies'],
      ['الرسم', 'problems'],
      ['تخطي', 'places'],
      ['بيت جدتها', 'friends'],
      ['تخطي', 'health'],
      ['تخطي', 'previous'],
      ['لا', 'summary'],
      ['موافق', 'done'],
    ],
    expectCase: {
      'reporter.name': 'فاطمة الزهراء العلوي',
      'child.fullName': 'سلمى العلوي',
      'child.sex': 'girl',
      'child.age': { years: 5 },
      'child.photoId': null,
      'child.heightCm': 110,
      'child.phone': '+212612345678',
      'child.health': null,
      'lastSeen.at': new Date('2026-11-28T13:30:00Z'),
      'lastSeen.place': {
        kind: 'description',
        text: 'أمام المدرسة الابتدائية ابن خلدون، حي السلام',
      },
      'lastSeen.city': 'سلا',
      'abduction.suspected': 'yes',
      'abduction.details': 'رجل في سيارة بيضاء من نوع داسيا',
      'priority.level': 'critical',
    },
  },
  {
    name: 'Darija in Arabic script',
    language: 'ary',
    from: '+212600000103',
    steps: [
      ['السلام، ولدي تلف ليا من الصباح، عاوني عافاك', 'consent'],
      ['آه', 'relationship'],
      ['1', 'reporter_name'],
      ['عبد الرحيم الإدريسي', 'child_name'],
      ['أيوب الإدريسي', 'child_sex'],
      ['ولد', 'child_age'],
      ['عندو 9 سنين', 'child_photo'],
      ['دوز', 'child_height'],
      ['دوز', 'child_build'],
      ['ضعيف شوية', 'child_hair'],
      ['شعرو كحل وقصير', 'child_marks'],
      ['والو', 'child_clothing'],
      ['لابس تريكو خضر وسروال جين', 'last_seen_at'],
      ['28/11 10:00', 'last_seen_place'],
      ['حدا الجامع الكبير فدرب السلطان', 'last_seen_city'],
      ['الدار البيضاء', 'circumstances'],
      ['خرج يلعب مع الدراري وما رجعش', 'abduction'],
      ['ما عرفتش', 'child_phone'],
      ['لا', 'hobbies'],
      ['كيحب الكورة', 'problems'],
      ['كان مقلق شوية من القراية', 'places'],
      ['السيبير ديال الحومة', 'friends'],
      ['دوز', 'health'],
      ['والو', 'previous'],
      ['لا', 'summary'],
      ['صافي', 'done'],
    ],
    expectCase: {
      'child.fullName': 'أيوب الإدريسي',
      'child.sex': 'boy',
      'child.age': { years: 9 },
      'child.heightCm': null,
      'child.marks': null,
      'child.problems': 'كان مقلق شوية من القراية',
      'lastSeen.at': new Date('2026-11-28T09:00:00Z'),
      'lastSeen.city': 'الدار البيضاء',
      'abduction.suspected': 'unknown',
      'abduction.details': null,
      'priority.level': 'high',
    },
  },
  {
    name: 'Darija in Latin letters (Arabizi)',
    language: 'ary',
    from: '+212600000104',
    steps: [
      ['salam, bnti tlfat lia lyoum 3afak', 'consent'],
      ['wah', 'relationship'],
      ['1', 'reporter_name'],
      ['Khadija Amrani', 'child_name'],
      ['Nour Amrani', 'child_sex'],
      ['bnt', 'child_age'],
      ['3ndha 4 snin', 'child_photo'],
      [{ image: { mimeType: 'image/jpeg', dataBase64: JPEG_BYTES } }, 'child_height'],
      ['duz', 'child_build'],
      ['duz', 'child_hair'],
      ['cha3r k7el twil', 'child_marks'],
      ['walo', 'child_clothing'],
      ['lbsa kebbout wrdi', 'last_seen_at'],
      ['28/11 15:30', 'last_seen_place'],
      [{ location: { latitude: 34.0209, longitude: -6.8416 } }, 'circumstances'],
      ['kant kat l3eb f jardin m3a khtha o mab9atch', 'abduction'],
      ['la', 'child_phone'],
      ['la', 'hobbies'],
      ['kat7eb rsm', 'problems'],
      ['duz', 'places'],
      ['dar jeddha f hay mohammadi', 'friends'],
      ['duz', 'health'],
      ['walo', 'previous'],
      ['la', 'summary'],
      ['wakha', 'done'],
    ],
    expectCase: {
      'reporter.name': 'Khadija Amrani',
      'child.fullName': 'Nour Amrani',
      'child.sex': 'girl',
      'child.age': { years: 4 },
      'child.photoId': createHash('sha256').update(Buffer.from(JPEG_BYTES, 'base64')).digest('hex'),
      'child.hair': 'cha3r k7el twil',
      'lastSeen.at': new Date('2026-11-28T14:30:00Z'),
      'lastSeen.place': { kind: 'pin', latitude: 34.0209, longitude: -6.8416 },
      'abduction.suspected': 'no',
      'priority.level': 'high',
    },
  },
];

function pick(doc: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => {
    if (typeof value !== 'object' || value === null) return undefined;
    return Object.getOwnPropertyDescriptor(value, part)?.value;
  }, doc);
}

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(transcripts)('the whole report in $name', (transcript) => {
  it('asks every question in the family language and stores a pending case', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const { language, from } = transcript;

    const first = await say(app, from, transcript.steps[0]?.[0] ?? '');
    expect(first[0]).toBe(sentence(app, language, 'report:greeting.text'));

    for (const [index, [message, expected]] of transcript.steps.entries()) {
      const replies = index === 0 ? first : await say(app, from, message);
      if (expected === 'summary') {
        expect(replies.join('\n')).toContain(sentence(app, language, 'report:summary.header'));
        expect(replies.join('\n')).toContain(sentence(app, language, 'report:summary.footer'));
      } else if (expected === 'done') {
        expect(replies).toHaveLength(1);
        expect(replies[0]).toBe(
          sentence(app, language, 'report:submit.done', { reference: 'TF-2026-000001' }),
        );
      } else {
        expectAsked(app, replies, language, expected);
      }
    }

    const cases = await harness.connection.collection('cases').find().toArray();
    expect(cases).toHaveLength(1);
    const stored = cases[0];
    if (!stored) throw new Error('no case stored');
    expect(stored).toMatchObject({
      reference: 'TF-2026-000001',
      status: 'pending',
      language,
      channel: 'dev',
      reporter: { address: from },
      consent: { given: true },
    });
    for (const [path, value] of Object.entries(transcript.expectCase)) {
      expect(pick(stored, path), path).toEqual(value);
    }
    const audit = await harness.connection
      .collection('audit')
      .find({ caseId: stored._id })
      .toArray();
    expect(audit.map((entry) => entry.action)).toEqual(['case.created']);

    // The family can ask where their report is, in their language.
    const statusWord = { fr: 'statut', ar: 'الحالة', ary: 'فين وصل' }[language];
    expect(await say(app, from, statusWord)).toEqual([
      sentence(app, language, 'common:status.pending', { reference: 'TF-2026-000001' }),
    ]);

    // Nothing personal reached the logs, not even through a URL.
    await app.http.inject({ method: 'GET', url: `/dev/outbox?to=${encodeURIComponent(from)}` });
    const logs = harness.logs.join('');
    expect(logs).not.toContain(from.slice(4));
    expect(logs).not.toContain(String(transcript.expectCase['child.fullName'] ?? 'no-name'));
  });
});
