import type { FastifyRequest } from 'fastify';
import type { Language } from '../../core/nlu/language.js';

/** The language of an API answer, from Accept-Language (Darija, Arabic, else French). */
export function requestLanguage(request: FastifyRequest): Language {
  const header = String(request.headers['accept-language'] ?? '').toLowerCase();
  if (header.startsWith('ary')) return 'ary';
  if (header.startsWith('ar')) return 'ar';
  return 'fr';
}
