/**
 * What one simulated family types, from the first message to submission (the
 * French transcript of the tests, without a photo), and the turns of
 * botbuilder's reference waterfall for the same number of prompts.
 */
export function familyScript(index: number): string[] {
  return [
    'Bonjour, mon fils a disparu, aidez moi svp',
    'oui',
    '1',
    `Parent Inventé ${index}`,
    `Enfant Inventé ${index}`,
    'garçon',
    'sept ans',
    'passer',
    '1m20',
    'mince',
    'cheveux noirs courts',
    'passer',
    't-shirt rouge, jean bleu, baskets blanches',
    "aujourd'hui 15h",
    'devant la boulangerie du quartier',
    'Casablanca',
    "Il jouait au ballon devant l'immeuble.",
    'non',
    'non',
    'le football',
    'passer',
    'chez son cousin',
    'Adam et Rayan',
    'passer',
    'non',
    'OK',
  ];
}

/** The kind of botbuilder prompt the reference uses for each turn of the same script. */
export type ReferencePrompt = 'text' | 'number' | 'confirm';

export function referenceTurns(): Array<{ prompt: ReferencePrompt; answer: string }> {
  return familyScript(0).map((_, index) => {
    if (index === 6) return { prompt: 'number', answer: '7' };
    if ([1, 17, 18, 24].includes(index)) return { prompt: 'confirm', answer: 'yes' };
    return { prompt: 'text', answer: `answer ${index}` };
  });
}
