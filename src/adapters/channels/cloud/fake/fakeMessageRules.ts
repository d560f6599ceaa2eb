import { z } from 'zod';

/**
 * The checks Graph makes on `POST /{phone-number-id}/messages` before it
 * accepts a message, as the fake Graph API applies them. Each refusal is
 * Graph's error code and a short description (never the message text).
 */

/** A template the fake knows, as Meta's registry holds it per (name, language). */
export interface FakeTemplate {
  name: string;
  language: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  /** How many `{{n}}` the body has. */
  bodyParameters: number;
  header: 'image' | 'none';
}

/** A refusal: Graph's code, the HTTP status it comes with, a title. */
export interface Refusal {
  code: number;
  status: number;
  title: string;
}

const refuse = (code: number, title: string, status = 400): Refusal => ({ code, status, title });

const E164 = /^\+?[1-9]\d{6,14}$/;
/** A business-scoped user id: a country prefix, a dot, digits (e.g. `US.1234`, `MA.98765`). */
const USER_ID = /^[A-Z]{2}\.\d+$/;

const envelopeSchema = z.looseObject({
  messaging_product: z.string().optional(),
  recipient_type: z.string().optional(),
  to: z.string().optional(),
  recipient: z.string().optional(),
  type: z.string().optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
});

const textSchema = z.object({ body: z.string(), preview_url: z.boolean().optional() });
const imageSchema = z.object({
  id: z.string().optional(),
  link: z.string().optional(),
  caption: z.string().optional(),
});
const buttonSchema = z.object({
  type: z.literal('reply'),
  reply: z.object({ id: z.string().min(1).max(256), title: z.string() }),
});
const interactiveSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('button'),
    body: z.object({ text: z.string() }),
    action: z.object({ buttons: z.array(buttonSchema) }),
  }),
  z.object({
    type: z.literal('list'),
    body: z.object({ text: z.string() }),
    action: z.object({
      button: z.string(),
      sections: z.array(
        z.object({
          title: z.string().optional(),
          rows: z.array(
            z.object({
              id: z.string().min(1).max(200),
              title: z.string(),
              description: z.string().optional(),
            }),
          ),
        }),
      ),
    }),
  }),
  z.object({
    type: z.literal('location_request_message'),
    body: z.object({ text: z.string() }),
    action: z.object({ name: z.literal('send_location') }),
  }),
]);
const templateSchema = z.object({
  name: z.string().min(1),
  language: z.object({ code: z.string().min(1), policy: z.string().optional() }),
  components: z
    .array(
      z.object({
        type: z.enum(['header', 'body', 'button', 'footer']),
        parameters: z.array(z.looseObject({ type: z.string() })).optional(),
      }),
    )
    .optional(),
});

const length = (text: string) => Array.from(text).length;

/** The address a message goes to, and whether Graph would deliver it there. */
export type Addressing =
  | { ok: true; address: string; field: 'to' | 'recipient'; dropped: boolean }
  | { ok: false; refusal: Refusal };

/** What was accepted: the recipient, the type and, for the registry, which template. */
export interface Checked {
  addressing: Extract<Addressing, { ok: true }>;
  type: string;
  freeForm: boolean;
  callbackData?: string;
  template?: { name: string; language: string };
  /** Media ids the message refers to. */
  mediaIds: string[];
}

/**
 * Checks one send request; `templates` and `mediaKnown` are the fake's
 * registry and uploads. A user id sent in `to` is accepted and silently
 * dropped, as Graph does (`dropped`).
 */
export function checkMessage(
  body: unknown,
  templates: ReadonlyMap<string, FakeTemplate>,
  mediaKnown: (id: string) => boolean,
): { ok: true; checked: Checked } | { ok: false; refusal: Refusal } {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, refusal: refuse(100, 'Invalid parameter') };
  const message = envelope.data;
  if (message.messaging_product !== 'whatsapp')
    return { ok: false, refusal: refuse(100, 'messaging_product must be whatsapp') };
  const addressing = addressingOf(message.to, message.recipient);
  if (!addressing.ok) return addressing;
  const type = message.type ?? 'text';
  const content: unknown = message[type];
  if (content === undefined || content === null || typeof content !== 'object')
    return { ok: false, refusal: refuse(100, `the ${type} object is missing`) };
  const base = {
    addressing,
    type,
    ...(message.biz_opaque_callback_data ? { callbackData: message.biz_opaque_callback_data } : {}),
  };
  switch (type) {
    case 'text': {
      const text = textSchema.safeParse(content);
      if (!text.success || length(text.data.body) === 0)
        return { ok: false, refusal: refuse(100, 'text.body is required') };
      if (length(text.data.body) > 4096)
        return { ok: false, refusal: refuse(100, 'text.body is at most 4096 characters') };
      return { ok: true, checked: { ...base, freeForm: true, mediaIds: [] } };
    }
    case 'image': {
      const image = imageSchema.safeParse(content);
      if (!image.success || (!image.data.id && !image.data.link))
        return { ok: false, refusal: refuse(100, 'image.id or image.link is required') };
      if (image.data.caption !== undefined && length(image.data.caption) > 1024)
        return { ok: false, refusal: refuse(100, 'image.caption is at most 1024 characters') };
      if (image.data.id && !mediaKnown(image.data.id))
        return { ok: false, refusal: refuse(131053, 'Media upload error: unknown media id') };
      return {
        ok: true,
        checked: { ...base, freeForm: true, mediaIds: image.data.id ? [image.data.id] : [] },
      };
    }
    case 'interactive': {
      const problem = interactiveProblem(content);
      if (problem) return { ok: false, refusal: refuse(131009, problem) };
      return { ok: true, checked: { ...base, freeForm: true, mediaIds: [] } };
    }
    case 'template':
      return checkTemplate(content, templates, mediaKnown, base);
    default:
      return { ok: false, refusal: refuse(100, `unsupported type ${type}`) };
  }
}

function addressingOf(to: string | undefined, recipient: string | undefined): Addressing {
  if (to !== undefined && recipient !== undefined)
    return { ok: false, refusal: refuse(100, 'to and recipient are exclusive') };
  if (recipient !== undefined) {
    if (!USER_ID.test(recipient))
      return { ok: false, refusal: refuse(100, 'recipient is not a user id') };
    return { ok: true, address: recipient, field: 'recipient', dropped: false };
  }
  if (to === undefined) return { ok: false, refusal: refuse(100, 'to is required') };
  // Graph answers 200 to a user id in `to`, and the message never arrives.
  if (USER_ID.test(to)) return { ok: true, address: to, field: 'to', dropped: true };
  if (!E164.test(to)) return { ok: false, refusal: refuse(131030, 'Recipient not valid') };
  return { ok: true, address: to.startsWith('+') ? to : `+${to}`, field: 'to', dropped: false };
}

function interactiveProblem(content: unknown): string | null {
  const parsed = interactiveSchema.safeParse(content);
  if (!parsed.success) return 'interactive object not valid';
  const interactive = parsed.data;
  if (length(interactive.body.text) === 0 || length(interactive.body.text) > 1024)
    return 'interactive body is 1 to 1024 characters';
  switch (interactive.type) {
    case 'button': {
      const buttons = interactive.action.buttons;
      if (buttons.length < 1 || buttons.length > 3) return 'one to three buttons';
      if (buttons.some((b) => length(b.reply.title) < 1 || length(b.reply.title) > 20))
        return 'button titles are 1 to 20 characters';
      if (new Set(buttons.map((b) => b.reply.id)).size !== buttons.length)
        return 'button ids must be unique';
      return null;
    }
    case 'list': {
      const rows = interactive.action.sections.flatMap((section) => section.rows);
      if (length(interactive.action.button) < 1 || length(interactive.action.button) > 20)
        return 'the list button is 1 to 20 characters';
      if (rows.length < 1 || rows.length > 10) return 'one to ten rows';
      if (rows.some((row) => length(row.title) < 1 || length(row.title) > 24))
        return 'row titles are 1 to 24 characters';
      if (rows.some((row) => row.description !== undefined && length(row.description) > 72))
        return 'row descriptions are at most 72 characters';
      if (new Set(rows.map((row) => row.id)).size !== rows.length) return 'row ids must be unique';
      return null;
    }
    case 'location_request_message':
      return null;
    default: {
      const unreachable: never = interactive;
      return String(unreachable);
    }
  }
}

function checkTemplate(
  content: unknown,
  templates: ReadonlyMap<string, FakeTemplate>,
  mediaKnown: (id: string) => boolean,
  base: Pick<Checked, 'addressing' | 'type' | 'callbackData'>,
): { ok: true; checked: Checked } | { ok: false; refusal: Refusal } {
  const parsed = templateSchema.safeParse(content);
  if (!parsed.success) return { ok: false, refusal: refuse(100, 'template object not valid') };
  const { name, language, components = [] } = parsed.data;
  const known = templates.get(templateKey(name, language.code));
  if (!known || known.status === 'REJECTED' || known.status === 'PENDING')
    return {
      ok: false,
      refusal: refuse(132001, 'Template name does not exist in the translation'),
    };
  if (known.status === 'PAUSED')
    return { ok: false, refusal: refuse(132015, 'Template is paused') };
  if (known.status === 'DISABLED')
    return { ok: false, refusal: refuse(132016, 'Template is disabled') };
  const bodyParameters = components
    .filter((c) => c.type === 'body')
    .flatMap((c) => c.parameters ?? []);
  if (bodyParameters.length !== known.bodyParameters)
    return { ok: false, refusal: refuse(132000, 'Number of parameters does not match') };
  const texts = bodyParameters.map((p) => z.object({ text: z.string() }).safeParse(p));
  if (texts.some((t) => !t.success || /[\n\t]| {5,}/.test(t.data.text) || t.data.text === ''))
    return {
      ok: false,
      refusal: refuse(132018, 'Template parameter has a new line, tab or spaces'),
    };
  const header = components.find((c) => c.type === 'header')?.parameters ?? [];
  const imageIds = header.flatMap((p) => {
    const image = z.object({ type: z.literal('image'), image: z.object({ id: z.string() }) });
    const read = image.safeParse(p);
    return read.success ? [read.data.image.id] : [];
  });
  if (known.header === 'image' && imageIds.length !== 1)
    return { ok: false, refusal: refuse(132012, 'Parameter format does not match: header image') };
  if (known.header === 'none' && header.length > 0)
    return { ok: false, refusal: refuse(132000, 'Number of parameters does not match: header') };
  if (imageIds.some((id) => !mediaKnown(id)))
    return { ok: false, refusal: refuse(131053, 'Media upload error: unknown media id') };
  return {
    ok: true,
    checked: {
      ...base,
      freeForm: false,
      template: { name, language: language.code },
      mediaIds: imageIds,
    },
  };
}

/** The registry key of a template. */
export const templateKey = (name: string, language: string) => `${name}@${language}`;
