import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { choiceLabelKey } from '../../core/conversation/engine.js';
import { type Flow, flowSchema, requiredTextKeys } from '../../core/conversation/flowSchema.js';
import { AppError } from '../../core/errors.js';
import type { Translator } from '../../core/i18n/translator.js';
import { LANGUAGES } from '../../core/nlu/language.js';

/** The flows by id, as loaded and checked at start-up. */
export type FlowCatalog = ReadonlyMap<string, Flow>;

/**
 * Reads every `flows/*.yaml`, validates it, and checks that each node's
 * sentences exist in every language. A trainer's mistake stops start-up with
 * a message naming the file, the node and the missing text.
 */
export function loadFlows(flowsDir: string, translator: Translator): FlowCatalog {
  const catalog = new Map<string, Flow>();
  for (const file of readdirSync(flowsDir).filter((name) => /\.ya?ml$/.test(name))) {
    const flow = parseFlowFile(join(flowsDir, file), readFileSync(join(flowsDir, file), 'utf8'));
    if (flow.id !== basename(file).replace(/\.ya?ml$/, '')) {
      throw new AppError('flow_invalid', `flows/${file}: id "${flow.id}" must match the file name`);
    }
    const missing = missingTexts(flow, translator);
    if (missing.length > 0) {
      throw new AppError('flow_invalid', `flows/${file}: missing texts: ${missing.join(', ')}`);
    }
    catalog.set(flow.id, flow);
  }
  return catalog;
}

/** Parses one flow file's YAML text. */
export function parseFlowFile(name: string, source: string): Flow {
  let data: unknown;
  try {
    data = parseYaml(source);
  } catch (error) {
    throw new AppError('flow_invalid', `${name}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = flowSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new AppError('flow_invalid', `${name}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** `language:namespace:key` for every sentence a flow needs that a locale lacks. */
export function missingTexts(flow: Flow, translator: Translator): string[] {
  const missing: string[] = [];
  for (const node of flow.nodes) {
    const keys = requiredTextKeys(node).map((textKey) => `${flow.id}:${textKey}`);
    // A choice's options are offered as buttons too, each with its short label.
    if (node.type === 'choice') {
      keys.push(...node.options.map((option) => choiceLabelKey(flow.id, node.id, option.value)));
    }
    for (const fullKey of keys) {
      for (const language of LANGUAGES) {
        if (!translator.has(language, fullKey)) missing.push(`${language}:${fullKey}`);
      }
    }
  }
  return missing;
}
