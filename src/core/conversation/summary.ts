import { z } from 'zod';
import type { Flow, InputNode } from './flowSchema.js';
import { type PickOption, pickOptions, voiceAnswerSchema } from './parseAnswer.js';
import { key, num, raw, type Text } from './text.js';

const ageSchema = z.object({ years: z.number(), months: z.number().optional() });
const placeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pin'),
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
  }),
  z.object({ kind: z.literal('description'), text: z.string() }),
]);

const areaSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cell') }),
  z.object({ kind: z.literal('city'), names: z.object({ fr: z.string(), ar: z.string() }) }),
]);

/** "Yassine, 7, Casablanca": how an active alert is named to a citizen. */
export function describePickOption(option: PickOption): Text {
  const params = { name: raw(option.firstName), age: num(option.ageYears) };
  return option.city
    ? key('common:alert_child.with_city', { ...params, city: raw(option.city) })
    : key('common:alert_child.without_city', params);
}

/** How one stored answer reads back in the summary, in the person's language. */
export function describeAnswer(
  flow: Flow,
  node: InputNode,
  value: unknown,
  context: Record<string, unknown> = {},
): Text {
  if (value === null || value === undefined) return key('common:values.skipped');
  switch (node.type) {
    case 'text':
      return voiceAnswerSchema.safeParse(value).success
        ? key('media:voice.attached')
        : raw(String(value));
    case 'phone':
      return raw(String(value));
    case 'number': {
      if (node.parse === 'age') {
        const age = ageSchema.safeParse(value);
        if (!age.success) return raw(String(value));
        return age.data.years === 0 && age.data.months !== undefined
          ? key('common:values.age_months', { count: num(age.data.months) })
          : key('common:values.age_years', { count: num(age.data.years) });
      }
      if (node.parse === 'height')
        return key('common:values.height_cm', { count: num(Number(value)) });
      return num(Number(value));
    }
    case 'choice':
      return key(`${flow.id}:${node.id}.options.${String(value)}`);
    case 'yes_no':
    case 'consent':
      return key(value === true ? 'common:values.yes' : 'common:values.no');
    case 'date_time':
      return { kind: 'dateTime', iso: String(value) };
    case 'location': {
      const place = placeSchema.safeParse(value);
      if (!place.success) return raw(String(value));
      if (place.data.kind === 'description') return raw(place.data.text);
      return place.data.name
        ? key('common:values.location_pin_named', { name: raw(place.data.name) })
        : key('common:values.location_pin');
    }
    case 'photo':
      return key('common:values.photo_received');
    case 'pick': {
      const option = pickOptions(context[node.optionsFrom]).find((o) => o.value === value);
      return option ? describePickOption(option) : raw(String(value));
    }
    case 'area': {
      const area = areaSchema.safeParse(value);
      if (!area.success) return raw(String(value));
      // The locale picks the name in its own script ({{fr}} or {{ar}}).
      return area.data.kind === 'cell'
        ? key('common:values.area_cell')
        : key('common:values.area_city', {
            fr: raw(area.data.names.fr),
            ar: raw(area.data.names.ar),
          });
    }
    default: {
      const unreachable: never = node;
      return unreachable;
    }
  }
}
