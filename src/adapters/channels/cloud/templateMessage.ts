import type { Language } from '../../../core/nlu/language.js';
import type { AlertTemplate } from '../alertTemplate.js';
import type { GraphMessage } from './graphClient.js';

/**
 * The approved templates and their languages (configuration). Arabic and
 * French share a name; Darija has no language code at Meta, so its
 * templates are submitted under `ar_MA` with their own names (`<name>_ary`).
 * An alert without a photo uses the same wording without the image header
 * (`<name>_text`).
 */
export interface TemplateSettings {
  names: { alert: string; widening: string; closing: string };
  languages: Record<Language, string>;
}

/** Meta refuses body parameters with line breaks, tabs or more than four spaces in a row. */
function parameterText(value: string): string {
  return value
    .split(/\s*\n\s*/)
    .filter((line) => line !== '')
    .join(' · ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A template body holds 1,024 characters in all; a parameter is kept well below. */
const PARAMETER_MAX = 700;

function bounded(value: string): string {
  const chars = Array.from(parameterText(value));
  return chars.length <= PARAMETER_MAX
    ? chars.join('')
    : `${chars.slice(0, PARAMETER_MAX - 1).join('')}…`;
}

/** The name an alert template is registered under at Meta, for one language. */
export function templateName(
  settings: TemplateSettings,
  template: Pick<AlertTemplate, 'kind' | 'language'>,
  withPhoto: boolean,
): string {
  const base = settings.names[template.kind];
  const variant = template.kind !== 'closing' && !withPhoto ? `${base}_text` : base;
  return template.language === 'ary' ? `${variant}_ary` : variant;
}

/**
 * The template message of an alert, widening or closing: the photo as the
 * header image (by uploaded media id), the body parameters, the language
 * code of configuration with Meta's deterministic policy (never a fallback
 * language). Meta takes the time to live on the template itself
 * (`message_send_ttl_seconds` when it is submitted), not per message.
 */
export function templateMessage(
  settings: TemplateSettings,
  template: AlertTemplate,
  headerMediaId: string | undefined,
  callbackData: string | undefined,
): GraphMessage {
  const withPhoto = template.kind !== 'closing' && headerMediaId !== undefined;
  const components: Record<string, unknown>[] = [];
  if (withPhoto) {
    components.push({
      type: 'header',
      parameters: [{ type: 'image', image: { id: headerMediaId } }],
    });
  }
  components.push({
    type: 'body',
    parameters: template.parameters.map((text) => ({ type: 'text', text: bounded(text) })),
  });
  return {
    type: 'template',
    content: {
      name: templateName(settings, template, withPhoto),
      language: { code: settings.languages[template.language], policy: 'deterministic' },
      components,
    },
    ...(callbackData ? { callbackData } : {}),
  };
}
