import { z } from 'zod';

/** Node ids are stable keys: locales, stored answers and summaries refer to them. */
const nodeId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'node ids are snake_case');
/** Where an answer is stored in the conversation's answers, e.g. `child.fullName`. */
const storePath = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/);

/** Recognition vocabularies a choice option can be matched by (see i18n/keywords.ts). */
export const optionKeywordSets = [
  'yes',
  'no',
  'unknown',
  'parent',
  'guardian',
  'other',
  'boy',
  'girl',
  'lang_ar',
  'lang_fr',
  'lang_ary',
] as const;

/** What a flow's submission asks the host to do (see flowState.ts `Effect`). */
export const submitEffects = ['submitReport', 'subscribe', 'addSighting'] as const;

const condition = z.strictObject({
  answer: storePath,
  equals: z.union([z.string(), z.number(), z.boolean()]),
});

const base = {
  id: nodeId,
  when: condition.optional(),
};
const input = {
  ...base,
  store: storePath,
  optional: z.boolean().default(false),
};

const messageNode = z.strictObject({ ...base, type: z.literal('message') });
const endNode = z.strictObject({
  ...base,
  type: z.literal('end'),
  outcome: z.enum(['consent_refused', 'not_guardian', 'report_instead', 'declined']),
});
const consentNode = z.strictObject({
  ...base,
  type: z.literal('consent'),
  store: storePath,
  onRefuse: nodeId,
});
const textNode = z.strictObject({
  ...input,
  type: z.literal('text'),
  minLength: z.number().int().min(1).default(1),
  maxLength: z.number().int().min(1).max(4000).default(1000),
  /**
   * A voice note may answer it (for a parent who cannot type): the answer is
   * then the voice note, attached to the case. Off for answers the service
   * must read (names, the city that decides the region).
   */
  voice: z.boolean().default(false),
});
const numberNode = z.strictObject({
  ...input,
  type: z.literal('number'),
  parse: z.enum(['integer', 'age', 'height']).default('integer'),
  min: z.number(),
  max: z.number(),
});
const choiceNode = z.strictObject({
  ...input,
  type: z.literal('choice'),
  options: z
    .array(
      z.strictObject({
        value: z.string().regex(/^[a-z][a-z0-9_]*$/),
        match: z.enum(optionKeywordSets),
        next: nodeId.optional(),
      }),
    )
    .min(2)
    .max(9),
  /**
   * A context value naming the option offered by default ("ok" picks it),
   * e.g. the conversation's language for the language of alerts.
   */
  suggested: storePath.optional(),
});
/**
 * A choice whose options the host knew when the flow started (the active
 * alerts a citizen may be writing about), read from the flow's context.
 */
const pickNode = z.strictObject({ ...input, type: z.literal('pick'), optionsFrom: storePath });
/**
 * Where a citizen wants alerts: a pin, kept as its coarse geohash cell, or a
 * city of the gazetteer typed in any script.
 */
const areaNode = z.strictObject({ ...input, type: z.literal('area') });
const yesNoNode = z.strictObject({ ...input, type: z.literal('yes_no') });
const dateTimeNode = z.strictObject({ ...input, type: z.literal('date_time') });
const locationNode = z.strictObject({
  ...input,
  type: z.literal('location'),
  maxLength: z.number().int().min(1).max(4000).default(500),
});
const photoNode = z.strictObject({ ...input, type: z.literal('photo') });
const phoneNode = z.strictObject({ ...input, type: z.literal('phone') });
const summaryNode = z.strictObject({ ...base, type: z.literal('summary') });
const submitNode = z.strictObject({
  ...base,
  type: z.literal('submit'),
  effect: z.enum(submitEffects),
});

export const flowNodeSchema = z.discriminatedUnion('type', [
  messageNode,
  endNode,
  consentNode,
  textNode,
  numberNode,
  choiceNode,
  yesNoNode,
  dateTimeNode,
  locationNode,
  photoNode,
  phoneNode,
  summaryNode,
  submitNode,
  pickNode,
  areaNode,
]);

export const flowSchema = z
  .strictObject({
    id: nodeId,
    version: z.number().int().min(1),
    nodes: z.array(flowNodeSchema).min(1),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set<string>();
    for (const [index, node] of flow.nodes.entries()) {
      if (ids.has(node.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', index, 'id'],
          message: `duplicate node id "${node.id}"`,
        });
      }
      ids.add(node.id);
    }
    const targets: Array<[number, string]> = [];
    for (const [index, node] of flow.nodes.entries()) {
      if (node.type === 'consent') targets.push([index, node.onRefuse]);
      if (node.type === 'choice') {
        for (const option of node.options) if (option.next) targets.push([index, option.next]);
      }
    }
    for (const [index, target] of targets) {
      if (!ids.has(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', index],
          message: `unknown target node "${target}"`,
        });
      }
    }
  });

export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowNodeType = FlowNode['type'];
/** Nodes that wait for the person's answer and store it. */
export type InputNode = Extract<FlowNode, { store: string }>;

/** The locale keys a node needs, so a test and start-up can check every locale has them. */
export function requiredTextKeys(node: FlowNode): string[] {
  switch (node.type) {
    case 'message':
    case 'end':
      return [`${node.id}.text`];
    case 'submit':
      return [`${node.id}.done`];
    case 'summary':
      return [`${node.id}.header`, `${node.id}.footer`, `${node.id}.invalid`];
    case 'choice':
      return [
        `${node.id}.prompt`,
        `${node.id}.label`,
        ...node.options.map((option) => `${node.id}.options.${option.value}`),
      ];
    case 'number':
      return [
        `${node.id}.prompt`,
        `${node.id}.label`,
        ...(node.parse === 'age' ? [`${node.id}.invalid_adult`] : []),
      ];
    case 'area':
      return [`${node.id}.prompt`, `${node.id}.label`, `${node.id}.unknown_city`];
    case 'pick':
    case 'consent':
    case 'text':
    case 'yes_no':
    case 'date_time':
    case 'location':
    case 'photo':
    case 'phone':
      return [`${node.id}.prompt`, `${node.id}.label`];
    default: {
      const unreachable: never = node;
      return unreachable;
    }
  }
}
