import type { App } from '../../src/compose.js';
import { type Outgoing, PNG_1PX, say } from './chat.js';

/** Options of a report a test family submits. */
export interface ReportOptions {
  childName?: string;
  age?: string;
  /** A pin (defaults to central Casablanca). */
  pin?: { latitude: number; longitude: number };
  abduction?: 'oui' | 'non';
  /** When the child was last seen, as the family writes it (default "aujourd'hui 15h"). */
  lastSeen?: string;
  /** Sends a photo of the child (a 1×1 PNG, or the picture given) instead of skipping the question. */
  photo?: boolean | { mimeType: string; dataBase64: string };
}

/**
 * A French-speaking family submits a whole report through the dev channel;
 * returns the case reference the bot gave them.
 */
export async function submitReport(
  app: App,
  from: string,
  options: ReportOptions = {},
): Promise<string> {
  const pin = options.pin ?? { latitude: 33.5731, longitude: -7.5898 };
  const steps: Outgoing[] = [
    'Bonjour, mon fils a disparu',
    'oui',
    '1',
    'Karima Bennani',
    options.childName ?? 'Yassine Bennani',
    'garçon',
    options.age ?? '7',
    options.photo
      ? {
          image:
            options.photo === true ? { mimeType: 'image/png', dataBase64: PNG_1PX } : options.photo,
        }
      : 'passer',
    '1m20',
    'mince',
    'cheveux noirs courts',
    'passer',
    't-shirt rouge, jean bleu',
    options.lastSeen ?? "aujourd'hui 15h",
    { location: pin },
    "Il jouait au ballon devant l'immeuble.",
    options.abduction ?? 'non',
    ...(options.abduction === 'oui' ? ['une voiture blanche'] : []),
    'non',
    'le football',
    'passer',
    'chez son cousin',
    'Adam et Rayan',
    'passer',
    'non',
  ];
  for (const step of steps) await say(app, from, step);
  const done = await say(app, from, 'OK');
  const reference = /TF-\d{4}-\d{6}/.exec(done.join('\n'))?.[0];
  if (!reference) throw new Error(`the report was not submitted: ${done.join(' | ')}`);
  return reference;
}
