import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { chatConfigSchema } from '../config.js';

/**
 * `npm run chat`: talk to a running Tifli (started with `npm start`) as a
 * parent or a citizen would on WhatsApp, through the dev channel.
 * Commands: /location LAT LON [name], /photo PATH, /voice [PATH] (a voice note, a file of
 * yours or a tiny Ogg), /reply MESSAGE-ID TEXT (a reply to a message of /outbox), /outbox,
 * /from +212…, /quit. A question's choices show as `[1] Oui  [2] Non`: type the value.
 */
const parsed = chatConfigSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  process.exit(2);
}
const baseUrl = parsed.data.TIFLI_URL.replace(/\/$/, '');
let from = parsed.data.CHAT_FROM;

const choicesSchema = z.array(z.object({ title: z.string(), value: z.string() })).optional();
const replySchema = z.object({
  replies: z.array(
    z.object({
      text: z.string(),
      imageUrl: z.string().optional(),
      choices: choicesSchema,
      requestLocation: z.boolean().optional(),
    }),
  ),
});
const outboxSchema = z.object({
  messages: z.array(
    z.object({ text: z.string(), at: z.string(), messageId: z.string().optional() }),
  ),
});

/** The start of an Ogg Opus stream: enough for the bot to take it as a voice note. */
const TINY_OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(23), Buffer.from('OpusHead')]);

async function send(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${baseUrl}/dev/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, ...body }),
  });
  const json: unknown = await response.json();
  if (!response.ok) {
    console.error(`! ${response.status}`, JSON.stringify(json));
    return;
  }
  for (const reply of replySchema.parse(json).replies) {
    console.log(`\nTifli> ${reply.text}${reply.imageUrl ? '\n[image]' : ''}`);
    if (reply.choices) {
      console.log(reply.choices.map((choice) => `[${choice.value}] ${choice.title}`).join('  '));
    }
    if (reply.requestLocation) console.log('[📍 /location LAT LON]');
  }
}

async function main(): Promise<void> {
  try {
    await fetch(`${baseUrl}/healthz`);
  } catch {
    console.error(`Tifli is not reachable at ${baseUrl}. Start it first with: npm start`);
    process.exit(1);
  }
  console.log(
    `Chatting with ${baseUrl} as ${from}. /quit to leave; /location LAT LON, /photo PATH, /voice [PATH], /reply ID TEXT, /outbox, /from NUMBER.`,
  );
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
  process.stdout.write('\nyou> ');
  // Reading lines as they come (not rl.question) keeps piped input in order.
  for await (const line of rl) {
    const [command, ...args] = line.trim().split(/\s+/);
    if (command === '/quit') break;
    try {
      if (command === '/location') {
        await send({
          location: {
            latitude: Number(args[0]),
            longitude: Number(args[1]),
            ...(args[2] ? { name: args.slice(2).join(' ') } : {}),
          },
        });
      } else if (command === '/photo' && args[0]) {
        const data = await readFile(args[0]);
        await send({ image: { mimeType: 'image/jpeg', dataBase64: data.toString('base64') } });
      } else if (command === '/voice') {
        const data = args[0] ? await readFile(args[0]) : TINY_OGG;
        await send({ audio: { mimeType: 'audio/ogg', dataBase64: data.toString('base64') } });
      } else if (command === '/reply' && args[0]) {
        await send({ replyTo: args[0], text: args.slice(1).join(' ') });
      } else if (command === '/from' && args[0]) from = args[0];
      else if (command === '/outbox') {
        const response = await fetch(`${baseUrl}/dev/outbox?to=${encodeURIComponent(from)}`);
        for (const m of outboxSchema.parse(await response.json()).messages) {
          console.log(`[${m.at}]${m.messageId ? ` (${m.messageId})` : ''} ${m.text}`);
        }
      } else await send({ text: line });
    } catch (error) {
      console.error('!', error instanceof Error ? error.message : error);
    }
    process.stdout.write('\nyou> ');
  }
  rl.close();
}

await main();
