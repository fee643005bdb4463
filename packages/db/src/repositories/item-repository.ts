/** Items with their labels and input feature vectors. */
import type {
  IngestionStatus,
  Item,
  ItemSplit,
  PrismaClient,
  Prisma,
} from '../generated/prisma/client.ts';
import { mapped, pageQuery, toPage, type Page, type PageArgs } from './common.ts';

export interface NewItem {
  /** Chosen by the caller when another row must name the item in the same transaction. */
  id?: string;
  datasetId: string;
  siteId: string;
  modality: string;
  externalKey: string | null;
  /** The caller's record key: items that belong together share it. */
  recordKey: string | null;
  content: Uint8Array | null;
  text: string | null;
  mimeType: string;
  sizeBytes: number;
  checksum: string;
  metadata: Record<string, unknown>;
  split: ItemSplit;
  status: IngestionStatus;
  error: string | null;
  labelIds: string[];
  features: {
    featuriserId: string;
    featuriserVersion: string;
    values: Float32Array;
  } | null;
}

export interface ItemFilter {
  datasetId: string;
  siteIds?: readonly string[];
  labelIds?: readonly string[];
  modality?: string | null;
  status?: IngestionStatus | null;
}

export interface ItemPatch {
  siteId?: string;
  split?: ItemSplit;
  metadata?: Record<string, unknown>;
  labelIds?: string[];
}

/** An item's stored input features, without their values (the item's lineage). */
export interface FeatureVectorInfo {
  itemId: string;
  featuriserId: string;
  featuriserVersion: string;
  dimension: number;
  createdAt: Date;
}

/** What training needs of one item. */
export interface TrainingItem {
  id: string;
  siteId: string;
  modality: string;
  split: ItemSplit;
  text: string | null;
  labelIndices: number[];
  features: Float32Array | null;
}

/** What planning a training run needs of one item: no feature vector, only its dimension. */
export interface TrainingMember extends Omit<TrainingItem, 'features'> {
  /** Dimension of its newest vector from the featuriser asked for; null when it has none. */
  featureDimension: number | null;
}

/** Metadata-only selection: never load content bytes for lists. */
const WITHOUT_CONTENT = { content: false } as const;
export type ItemSummary = Omit<Item, 'content'>;

export class ItemRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The item a caller's key names (its identity: dataset, modality, key). */
  findByKey(datasetId: string, modality: string, key: string): Promise<ItemSummary | null> {
    return this.prisma.item.findUnique({
      where: { datasetId_modality_externalKey: { datasetId, modality, externalKey: key } },
      omit: WITHOUT_CONTENT,
    });
  }

  /** The keyless item with this content: a keyless item's identity is its checksum. */
  findKeyless(datasetId: string, modality: string, checksum: string): Promise<ItemSummary | null> {
    return this.prisma.item.findFirst({
      where: { datasetId, modality, checksum, externalKey: null },
      omit: WITHOUT_CONTENT,
    });
  }

  /**
   * The stored vector of any item of the dataset with this content, from exactly this featuriser
   * version: content already featurised is not featurised again under another key.
   */
  async featuresByChecksum(
    datasetId: string,
    modality: string,
    checksum: string,
    featuriser: { id: string; version: string },
  ): Promise<Float32Array | null> {
    const row = await this.prisma.featureVector.findFirst({
      where: {
        featuriserId: featuriser.id,
        featuriserVersion: featuriser.version,
        item: { datasetId, modality, checksum },
      },
      orderBy: { createdAt: 'asc' },
      select: { values: true },
    });
    return row ? toFloat32(row.values) : null;
  }

  /** The items of a record, oldest first (at most `limit`). */
  listByRecord(datasetId: string, recordKey: string, limit: number): Promise<ItemSummary[]> {
    return this.prisma.item.findMany({
      where: { datasetId, recordKey },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      omit: WITHOUT_CONTENT,
    });
  }

  /** Per record key of a dataset: how many items it has and when its first was stored. */
  async recordStats(
    datasetId: string,
    recordKeys: readonly string[],
  ): Promise<Map<string, { itemCount: number; createdAt: Date }>> {
    const rows = await this.prisma.item.groupBy({
      by: ['recordKey'],
      where: { datasetId, recordKey: { in: [...recordKeys] } },
      _count: { _all: true },
      _min: { createdAt: true },
    });
    const out = new Map<string, { itemCount: number; createdAt: Date }>();
    for (const row of rows)
      if (row.recordKey !== null && row._min.createdAt)
        out.set(row.recordKey, { itemCount: row._count._all, createdAt: row._min.createdAt });
    return out;
  }

  /** Writes an item, its labels and its feature vector in one transaction. */
  create(input: NewItem): Promise<ItemSummary> {
    return mapped('Item', () => this.prisma.$transaction((tx) => createItemIn(tx, input)));
  }

  findById(id: string): Promise<ItemSummary | null> {
    return this.prisma.item.findUnique({ where: { id }, omit: WITHOUT_CONTENT });
  }

  findByIds(ids: readonly string[]): Promise<ItemSummary[]> {
    return this.prisma.item.findMany({ where: { id: { in: [...ids] } }, omit: WITHOUT_CONTENT });
  }

  async content(id: string): Promise<Uint8Array | null> {
    const row = await this.prisma.item.findUnique({ where: { id }, select: { content: true } });
    return row?.content ?? null;
  }

  /** Label ids of each item, for a DataLoader. */
  async labelIdsOf(itemIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.prisma.itemLabel.findMany({ where: { itemId: { in: [...itemIds] } } });
    const out = new Map<string, string[]>(itemIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.itemId)?.push(row.labelId);
    return out;
  }

  async list(filter: ItemFilter & PageArgs): Promise<Page<ItemSummary>> {
    const where = whereOf(filter);
    const [rows, total] = await Promise.all([
      this.prisma.item.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        omit: WITHOUT_CONTENT,
        ...pageQuery(filter),
      }),
      this.prisma.item.count({ where }),
    ]);
    return toPage(rows, filter.first, total);
  }

  count(filter: ItemFilter): Promise<number> {
    return this.prisma.item.count({ where: whereOf(filter) });
  }

  /** Items created or changed after `since` (threshold retraining). */
  countChangedSince(datasetId: string, since: Date | null): Promise<number> {
    return this.prisma.item.count({
      where: { datasetId, ...(since ? { updatedAt: { gt: since } } : {}) },
    });
  }

  update(id: string, patch: ItemPatch): Promise<ItemSummary> {
    return mapped('Item', () =>
      this.prisma.$transaction(async (tx) => {
        if (patch.labelIds) {
          await tx.itemLabel.deleteMany({ where: { itemId: id } });
          await tx.itemLabel.createMany({
            data: patch.labelIds.map((labelId) => ({ itemId: id, labelId })),
          });
        }
        return tx.item.update({
          where: { id },
          data: {
            ...(patch.siteId !== undefined ? { siteId: patch.siteId } : {}),
            ...(patch.split !== undefined ? { split: patch.split } : {}),
            ...(patch.metadata !== undefined
              ? { metadata: patch.metadata as Prisma.InputJsonValue }
              : {}),
            // Relabelling counts as a change for threshold retraining.
            updatedAt: new Date(),
          },
          omit: WITHOUT_CONTENT,
        });
      }),
    );
  }

  delete(id: string): Promise<ItemSummary> {
    return mapped('Item', () => this.prisma.item.delete({ where: { id }, omit: WITHOUT_CONTENT }));
  }

  /**
   * Every READY item of a dataset with its label indices, its text (text items) and its feature
   * vector from `featuriserId` (any version; the newest), in a stable order: `trainingMembers`
   * with their vectors.
   */
  async trainingItems(datasetId: string, featuriserId: string): Promise<TrainingItem[]> {
    const members = await this.trainingMembers(datasetId, featuriserId);
    const ids = members.filter((m) => m.featureDimension !== null).map((m) => m.id);
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < ids.length; i += 2_000) {
      const batch = await this.featureVectorsOf(ids.slice(i, i + 2_000), featuriserId);
      for (const [id, values] of batch) vectors.set(id, values);
    }
    return members.map(({ featureDimension: _dimension, ...member }) => ({
      ...member,
      features: vectors.get(member.id) ?? null,
    }));
  }

  /**
   * The training set's members without vectors (a training run's plan step keeps only ids);
   * `featuriserId` may name one featuriser per modality (each item has vectors of its own one).
   */
  async trainingMembers(
    datasetId: string,
    featuriserId: string | readonly string[],
  ): Promise<TrainingMember[]> {
    const ids = typeof featuriserId === 'string' ? [featuriserId] : [...featuriserId];
    const rows = await this.prisma.item.findMany({
      where: { datasetId, status: 'READY' },
      orderBy: { id: 'asc' },
      select: {
        id: true,
        siteId: true,
        modality: true,
        split: true,
        text: true,
        labels: { select: { label: { select: { index: true } } } },
        featureVectors: {
          where: { featuriserId: { in: ids } },
          orderBy: { createdAt: 'desc' },
          take: 1,
          select: { dimension: true },
        },
      },
    });
    return rows.map(({ labels, featureVectors, ...row }) => ({
      ...row,
      labelIndices: labels.map((l) => l.label.index).sort((a, b) => a - b),
      featureDimension: featureVectors[0]?.dimension ?? null,
    }));
  }

  /**
   * The newest vector from `featuriserId` of each of `itemIds` that still exists and has one
   * (one query; callers batch the ids).
   */
  async featureVectorsOf(
    itemIds: readonly string[],
    featuriserId: string,
  ): Promise<Map<string, Float32Array>> {
    const rows = await this.prisma.featureVector.findMany({
      where: { itemId: { in: [...itemIds] }, featuriserId },
      orderBy: [{ itemId: 'asc' }, { createdAt: 'desc' }],
      select: { itemId: true, values: true },
    });
    const out = new Map<string, Float32Array>();
    for (const row of rows) if (!out.has(row.itemId)) out.set(row.itemId, toFloat32(row.values));
    return out;
  }

  /** The feature vectors stored for each of `itemIds` (ids and sizes, not values). */
  featureVectorInfo(itemIds: readonly string[]): Promise<FeatureVectorInfo[]> {
    return this.prisma.featureVector.findMany({
      where: { itemId: { in: [...itemIds] } },
      orderBy: [{ itemId: 'asc' }, { createdAt: 'asc' }],
      select: {
        itemId: true,
        featuriserId: true,
        featuriserVersion: true,
        dimension: true,
        createdAt: true,
      },
    });
  }

  /** The text of each of `itemIds` that still exists (null for items without text). */
  async textsOf(itemIds: readonly string[]): Promise<Map<string, string | null>> {
    const rows = await this.prisma.item.findMany({
      where: { id: { in: [...itemIds] } },
      select: { id: true, text: true },
    });
    return new Map(rows.map((row) => [row.id, row.text]));
  }
}

/**
 * The body of `ItemRepository.create` inside a caller's transaction: the item, its labels and its
 * feature vector (so another repository can store an item and its own row atomically).
 */
export async function createItemIn(
  tx: Prisma.TransactionClient,
  input: NewItem,
): Promise<ItemSummary> {
  const item = await tx.item.create({
    data: {
      ...(input.id ? { id: input.id } : {}),
      datasetId: input.datasetId,
      siteId: input.siteId,
      modality: input.modality,
      externalKey: input.externalKey,
      recordKey: input.recordKey,
      content: input.content === null ? null : new Uint8Array(input.content),
      text: input.text,
      mimeType: input.mimeType,
      sizeBytes: input.sizeBytes,
      checksum: input.checksum,
      metadata: input.metadata as Prisma.InputJsonValue,
      split: input.split,
      status: input.status,
      error: input.error,
      labels: { create: input.labelIds.map((labelId) => ({ labelId })) },
    },
    omit: WITHOUT_CONTENT,
  });
  if (input.features) {
    const values = input.features.values;
    await tx.featureVector.create({
      data: {
        itemId: item.id,
        featuriserId: input.features.featuriserId,
        featuriserVersion: input.features.featuriserVersion,
        dimension: values.length,
        values: new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice(),
      },
    });
  }
  return item;
}

function whereOf(filter: ItemFilter): Prisma.ItemWhereInput {
  return {
    datasetId: filter.datasetId,
    ...(filter.siteIds?.length ? { siteId: { in: [...filter.siteIds] } } : {}),
    ...(filter.labelIds?.length
      ? { labels: { some: { labelId: { in: [...filter.labelIds] } } } }
      : {}),
    ...(filter.modality ? { modality: filter.modality } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
}

export function toFloat32(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
