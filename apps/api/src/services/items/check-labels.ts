/**
 * Labels at ingestion: a name the dataset does not have is refused unless the request
 * (`createLabels`) or the dataset (`allowLabelCreation`) allows creating labels, so a mistyped
 * label cannot silently become a new class (and change the class count of the next run).
 * Checked with the rest of the request, before anything is written or staged.
 */
import type { Dataset } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { PreparedItem } from './prepare-items.ts';

/** Distinct unknown labels listed in the message, and items listed per label. */
const LISTED_LABELS = 20;
const LISTED_ITEMS = 5;

export async function checkKnownLabels(
  deps: AppDeps,
  dataset: Pick<Dataset, 'id' | 'allowLabelCreation'>,
  prepared: readonly PreparedItem[],
  createLabels: boolean,
): Promise<void> {
  if (createLabels || dataset.allowLabelCreation) return;
  const known = new Set((await deps.repos.datasets.listLabels(dataset.id)).map((l) => l.name));
  // Unknown label → the indices of the items naming it, in request order.
  const unknown = new Map<string, number[]>();
  let first: { index: number; position: number; name: string } | null = null;
  for (const p of prepared) {
    for (const [position, name] of p.labels.entries()) {
      if (known.has(name)) continue;
      first ??= { index: p.index, position, name };
      const items = unknown.get(name) ?? [];
      if (items.at(-1) !== p.index) items.push(p.index);
      unknown.set(name, items);
    }
  }
  if (!first) return;
  const { index, position, name } = first;
  throw new AppError(
    'UNKNOWN_LABEL',
    `Item ${index}: unknown label ${JSON.stringify(name)}; this dataset has no such label.` +
      (unknown.size > 1 || unknown.get(name)!.length > 1 ? ` ${describe(unknown)}.` : '') +
      ' Create the labels first (createLabel), or pass createLabels: true, or allow label' +
      ' creation on the dataset (allowLabelCreation). Nothing was written.',
    ['input', 'items', String(index), 'labels', String(position)],
  );
}

function describe(unknown: Map<string, number[]>): string {
  const listed = [...unknown].slice(0, LISTED_LABELS).map(([name, items]) => {
    const shown = items.slice(0, LISTED_ITEMS).join(', ');
    const more = items.length > LISTED_ITEMS ? ` and ${items.length - LISTED_ITEMS} more` : '';
    return `${JSON.stringify(name)} (item${items.length > 1 ? 's' : ''} ${shown}${more})`;
  });
  const rest = unknown.size > LISTED_LABELS ? `, and ${unknown.size - LISTED_LABELS} more` : '';
  return `Unknown labels in this request: ${listed.join(', ')}${rest}`;
}
