// Decides whether a provision applies to the product from its condition and feature answers.
import type { Provision } from '../catalog/schema.ts';
import type { Product } from '../product/load.ts';

export type Applicability = { applies: true } | { applies: false; reason: string } | { applies: 'unknown'; reason: string };

// A provision applies only when every condition and feature it names holds (Annex B lists them jointly).
export function applicability(provision: Provision, product: Pick<Product, 'catalog' | 'conditions' | 'features'>): Applicability {
  const unanswered: string[] = [];
  for (const number of provision.conditions) {
    const condition = product.catalog.conditions.find((c) => c.number === number);
    const key = condition?.key ?? String(number);
    const answer = product.conditions.get(number);
    if (answer === undefined) unanswered.push(`condition ${number} (${key})`);
    else if (!answer) return { applies: false, reason: `condition ${number} does not hold (${key}: false)` };
  }
  for (const letter of provision.features) {
    const feature = product.catalog.features.find((f) => f.letter === letter);
    const key = feature?.key ?? letter;
    const answer = product.features.get(letter);
    if (answer === undefined) unanswered.push(`feature ${letter} (${key})`);
    else if (!answer) return { applies: false, reason: `the product lacks feature ${letter} (${key}: false)` };
  }
  if (unanswered.length) return { applies: 'unknown', reason: `answer ${unanswered.join(' and ')} in the product file` };
  return { applies: true };
}
