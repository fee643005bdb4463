/**
 * Crafted held-out sets for the evaluation and gate tests: a dataset with two classes (`cat`,
 * `dog`) and two sites (`north`, `south`), READY TEST items in both modalities, and models whose
 * embeddings are written directly, so every figure follows from arithmetic.
 */
import { createHash } from 'node:crypto';
import type { Model } from '@concord/db';
import type { AppDeps } from '../context.ts';

export const CLASSES = ['cat', 'dog'] as const;
export const SITES = ['north', 'south'] as const;

export interface HeldOutItemRow {
  id: string;
  modality: 'image' | 'text';
  /** 0 = cat, 1 = dog. */
  label: number;
}

export interface HeldOutFixture {
  datasetId: string;
  items: HeldOutItemRow[];
  labelIds: string[];
  siteIds: string[];
}

/** `perClass` items of each class in each modality, alternating between the two sites. */
export async function seedHeldOut(
  deps: AppDeps,
  name: string,
  perClass: number,
): Promise<HeldOutFixture> {
  const { prisma } = deps.db;
  const dataset = await prisma.dataset.create({
    data: { name, modalities: ['image', 'text'], dimension: 2 },
  });
  const sites = await Promise.all(
    SITES.map((site) => prisma.site.create({ data: { datasetId: dataset.id, name: site } })),
  );
  const labels = await Promise.all(
    CLASSES.map((label, index) =>
      prisma.label.create({ data: { datasetId: dataset.id, name: label, index } }),
    ),
  );
  const fixture: HeldOutFixture = {
    datasetId: dataset.id,
    items: [],
    labelIds: labels.map((l) => l.id),
    siteIds: sites.map((s) => s.id),
  };
  await addItems(deps, fixture, perClass, 'item');
  return fixture;
}

/** Adds `perClass` more TEST items of each class per modality; returns the new ones. */
export async function addItems(
  deps: AppDeps,
  fixture: HeldOutFixture,
  perClass: number,
  prefix: string,
): Promise<HeldOutItemRow[]> {
  const added: HeldOutItemRow[] = [];
  for (const modality of ['image', 'text'] as const) {
    for (let label = 0; label < CLASSES.length; label++) {
      for (let i = 0; i < perClass; i++) {
        const key = `${fixture.datasetId}/${prefix}/${modality}/${label}/${i}`;
        const item = await deps.db.prisma.item.create({
          data: {
            datasetId: fixture.datasetId,
            siteId: fixture.siteIds[i % 2]!,
            modality,
            text: key,
            mimeType: 'text/plain',
            sizeBytes: key.length,
            checksum: createHash('sha256').update(key).digest('hex'),
            split: 'TEST',
            status: 'READY',
            labels: { create: [{ labelId: fixture.labelIds[label]! }] },
          },
        });
        added.push({ id: item.id, modality, label });
      }
    }
  }
  fixture.items.push(...added);
  return added;
}

/** Embeds a class on one axis of the plane: a model that ranks every query perfectly. */
export const perfect = (item: HeldOutItemRow): number[] => (item.label === 0 ? [1, 0] : [0, 1]);

/** Images on the other class's axis: every query ranks all irrelevant items first. */
export const reversed = (item: HeldOutItemRow): number[] =>
  perfect({ ...item, label: item.modality === 'image' ? 1 - item.label : item.label });

/** A READY model of the dataset with image and text networks and the given embeddings. */
export async function createModel(
  deps: AppDeps,
  fixture: HeldOutFixture,
  version: number,
  embed: (item: HeldOutItemRow) => number[],
  items: readonly HeldOutItemRow[] = fixture.items,
): Promise<Model> {
  const model = await deps.db.prisma.model.create({
    data: {
      datasetId: fixture.datasetId,
      version,
      status: 'READY',
      dimension: 2,
      config: {},
      modalities: {
        create: ['image', 'text'].map((modality) => ({
          modality,
          featuriserId: 'test',
          featuriserVersion: '1',
          weights: new Uint8Array(4),
          spec: {},
        })),
      },
    },
  });
  await embedItems(deps, model.id, items, embed);
  return model;
}

export async function embedItems(
  deps: AppDeps,
  modelId: string,
  items: readonly HeldOutItemRow[],
  embed: (item: HeldOutItemRow) => number[],
): Promise<void> {
  await deps.db.embeddings.upsertMany(
    modelId,
    items.map((item) => ({ itemId: item.id, vector: embed(item) })),
  );
}

/** AP of a query whose `relevant` items all rank after `irrelevant` others. */
export function apRelevantLast(relevant: number, irrelevant: number): number {
  let sum = 0;
  for (let j = 1; j <= relevant; j++) sum += j / (irrelevant + j);
  return sum / relevant;
}
