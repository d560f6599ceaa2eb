import { afterEach, describe, expect, it } from 'vitest';
import { expectAsked, PNG_1PX, say, sentence } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<TestApp> {
  harness = await createTestApp();
  return harness;
}

/** Walks a French family up to the child's name question. */
async function upToChildName(h: TestApp, from: string): Promise<void> {
  await say(h.app, from, 'Bonjour, ma fille a disparu');
  await say(h.app, from, 'oui');
  await say(h.app, from, '1');
  expectAsked(h.app, await say(h.app, from, 'Karima Bennani'), 'fr', 'child_name');
}

const conversationState = (h: TestApp) => h.connection.collection('conversations').find().toArray();

describe('consent and who may report', () => {
  it('a refusal ends politely and stores nothing about the report', async () => {
    const h = await start();
    const from = '+212600000201';
    await say(h.app, from, 'Bonjour, mon fils a disparu');
    expect(await say(h.app, from, 'non')).toEqual([
      sentence(h.app, 'fr', 'report:consent_refused.text'),
    ]);
    expect(await h.connection.collection('cases').countDocuments()).toBe(0);
    const [state] = await conversationState(h);
    expect(JSON.parse(String(state?.state))).toMatchObject({ flow: null, lastCase: null });
  });

  it('someone who is not a parent or guardian is sent to the police and nothing is stored', async () => {
    const h = await start();
    const from = '+212600000202';
    await say(h.app, from, 'salam wldi khti tlef');
    await say(h.app, from, 'wah');
    expect(await say(h.app, from, '3')).toEqual([
      sentence(h.app, 'ary', 'report:not_guardian.text'),
    ]);
    expect(await h.connection.collection('cases').countDocuments()).toBe(0);
    const [state] = await conversationState(h);
    expect(JSON.parse(String(state?.state)).flow).toBeNull();
  });
});

describe('languages', () => {
  it('shows the language menu when unsure, then continues in the chosen language', async () => {
    const h = await start();
    const from = '+212600000203';
    expect(await say(h.app, from, 'السلام عليكم')).toEqual([
      sentence(h.app, 'ar', 'common:language.menu'),
    ]);
    const replies = await say(h.app, from, '٣');
    expect(replies[0]).toBe(sentence(h.app, 'ary', 'report:greeting.text'));
    expectAsked(h.app, replies, 'ary', 'consent');
  });

  it('switches language at any moment and asks the same question again', async () => {
    const h = await start();
    const from = '+212600000204';
    await upToChildName(h, from);
    const replies = await say(h.app, from, 'darija');
    expect(replies[0]).toContain(sentence(h.app, 'ary', 'common:language.changed'));
    expectAsked(h.app, replies, 'ary', 'child_name');
    expectAsked(h.app, await say(h.app, from, 'Lina Bennani'), 'ary', 'child_sex');
  });
});

describe('anytime words', () => {
  it('help explains and repeats the question; back returns to the previous one', async () => {
    const h = await start();
    const from = '+212600000205';
    await upToChildName(h, from);
    const help = await say(h.app, from, 'aide');
    expect(help[0]).toContain(sentence(h.app, 'fr', 'common:help'));
    expectAsked(h.app, help, 'fr', 'child_name');
    expectAsked(h.app, await say(h.app, from, 'retour'), 'fr', 'reporter_name');
    expectAsked(h.app, await say(h.app, from, 'Karima B.'), 'fr', 'child_name');
  });

  it('cancel forgets the report; the next message starts again', async () => {
    const h = await start();
    const from = '+212600000206';
    await upToChildName(h, from);
    expect(await say(h.app, from, 'annuler')).toEqual([sentence(h.app, 'fr', 'common:cancelled')]);
    const [state] = await conversationState(h);
    expect(JSON.parse(String(state?.state)).flow).toBeNull();
    expectAsked(h.app, await say(h.app, from, 'bonjour'), 'fr', 'consent');
  });
});

describe('answers the bot cannot use get a clear answer and the question again', () => {
  const cases: Array<[string, Parameters<typeof say>[2], string]> = [
    ['a voice note', { media: 'voice' }, 'common:unsupported_media'],
    ['a sticker', { media: 'sticker' }, 'common:unsupported_media'],
    ['an empty message', '', 'common:empty'],
    ['only emoji', '😭😭🙏', 'common:invalid.no_content'],
    ['only right-to-left marks', '\u200f\u200f \u061c', 'common:empty'],
  ];
  it.each(cases)('%s', async (_name, message, problem) => {
    const h = await start();
    const from = '+212600000207';
    await upToChildName(h, from);
    const replies = await say(h.app, from, message);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(sentence(h.app, 'fr', problem));
    expectAsked(h.app, replies, 'fr', 'child_name');
  });

  it('a 10 000-character message is refused as too long, and nothing is stored from it', async () => {
    const h = await start();
    const from = '+212600000208';
    await upToChildName(h, from);
    const replies = await say(h.app, from, 'a'.repeat(10_000));
    expect(replies[0]).toContain(
      sentence(h.app, 'fr', 'common:invalid.text_too_long', { max: '100' }),
    );
    const [state] = await conversationState(h);
    expect(JSON.parse(String(state?.state)).flow.answers['child.fullName']).toBeUndefined();
  });

  it('photos: over 5 MB, or not JPEG/PNG/WebP by their bytes, are refused; a real one is kept', async () => {
    const h = await start();
    const from = '+212600000209';
    await upToChildName(h, from);
    await say(h.app, from, 'Lina Bennani');
    await say(h.app, from, 'fille');
    expectAsked(h.app, await say(h.app, from, '6'), 'fr', 'child_photo');

    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    Buffer.from(PNG_1PX, 'base64').copy(big);
    const tooBig = await say(h.app, from, {
      image: { mimeType: 'image/png', dataBase64: big.toString('base64') },
    });
    expect(tooBig[0]).toContain(sentence(h.app, 'fr', 'common:invalid.photo_too_large'));

    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1').toString('base64');
    const notPhoto = await say(h.app, from, { image: { mimeType: 'image/jpeg', dataBase64: gif } });
    expect(notPhoto[0]).toContain(sentence(h.app, 'fr', 'common:invalid.photo_type'));
    expect(await h.connection.collection('photos').countDocuments()).toBe(0);

    expectAsked(
      h.app,
      await say(h.app, from, { image: { mimeType: 'image/png', dataBase64: PNG_1PX } }),
      'fr',
      'child_height',
    );
    expect(await h.connection.collection('photos').countDocuments()).toBe(1);
  });

  it('an adult, and a time in the future, are refused with the reason', async () => {
    const h = await start();
    const from = '+212600000210';
    await upToChildName(h, from);
    await say(h.app, from, 'Omar Bennani');
    await say(h.app, from, 'garçon');
    expect((await say(h.app, from, '25 ans'))[0]).toContain(
      sentence(h.app, 'fr', 'report:child_age.invalid_adult'),
    );
    expectAsked(h.app, await say(h.app, from, '16'), 'fr', 'child_photo');
    for (const skip of ['passer', 'passer', 'passer', 'passer', 'passer', 'passer'])
      await say(h.app, from, skip);
    const future = await say(h.app, from, 'demain 10h');
    expect(future[0]).toMatch(
      new RegExp(
        `${escapeRegExp(sentence(h.app, 'fr', 'common:invalid.date_future'))}|${escapeRegExp(sentence(h.app, 'fr', 'common:invalid.date_unrecognized'))}`,
      ),
    );
    const tonight = await say(h.app, from, "aujourd'hui 23h");
    expect(tonight[0]).toContain(sentence(h.app, 'fr', 'common:invalid.date_future'));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('delivery', () => {
  it('the same WhatsApp message delivered twice is handled once', async () => {
    const h = await start();
    const from = '+212600000211';
    await upToChildName(h, from);
    const first = await say(h.app, from, 'Lina Bennani', 'wamid-1');
    expectAsked(h.app, first, 'fr', 'child_sex');
    expect(await say(h.app, from, 'Lina Bennani', 'wamid-1')).toEqual([]);
    expectAsked(h.app, await say(h.app, from, 'fille', 'wamid-2'), 'fr', 'child_age');
  });

  it('messages arriving while the previous one is processed keep their order; no update is lost', async () => {
    const h = await start();
    const from = '+212600000212';
    await upToChildName(h, from);
    const [a, b, c] = await Promise.all([
      say(h.app, from, 'Lina Bennani'),
      say(h.app, from, 'fille'),
      say(h.app, from, '6 ans'),
    ]);
    expectAsked(h.app, a ?? [], 'fr', 'child_sex');
    expectAsked(h.app, b ?? [], 'fr', 'child_age');
    expectAsked(h.app, c ?? [], 'fr', 'child_photo');
    const [state] = await conversationState(h);
    expect(JSON.parse(String(state?.state)).flow.answers).toMatchObject({
      'child.fullName': 'Lina Bennani',
      'child.sex': 'girl',
      'child.age': { years: 6 },
    });
  });
});

describe('the dev channel refuses bad bodies with a clear, localized error', () => {
  it.each([
    [{ text: 'salam' }, 'fr'],
    [{ from: '0600000001', text: 'salam' }, 'ar'],
    [{ from: '+212600000001' }, 'ary'],
    [{ from: '+212600000001', text: 'x', status: 'confirmed' }, 'fr'],
  ] as const)('%j', async (payload, language) => {
    const h = await start();
    const response = await h.app.http.inject({
      method: 'POST',
      url: '/dev/messages',
      payload,
      headers: { 'accept-language': language },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; message: string; fields: unknown[] } }>();
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toBe(sentence(h.app, language, 'common:http.bad_request'));
    expect(body.error.fields.length).toBeGreaterThan(0);
    expect(await h.connection.collection('conversations').countDocuments()).toBe(0);
  });
});
