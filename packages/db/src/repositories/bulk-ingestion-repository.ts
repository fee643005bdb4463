/**
 * Bulk ingestions and their staged items. A staged row gets exactly one outcome: the outcome and
 * the item it created are written in one transaction that first claims the row (`status =
 * 'PENDING'`), so a retried or concurrent job can neither lose an item nor store one twice; the
 * counts are always recomputed from the rows.
 */
import type {
  BulkIngestion,
  BulkIngestionItem,
  BulkIngestionStatus,
  BulkItemStatus,
  ItemSplit,
  Prisma,
  PrismaClient,
} from '../generated/prisma/client.ts';
import { mapped, toPage, type Page } from './common.ts';
import { createItemIn, type NewItem } from './item-repository.ts';

export interface NewBulkIngestion {
  datasetId: string;
  idempotencyKey: string | null;
  requestHash: string;
}

/** One validated item of the request, as staged. */
export interface StagedItem {
  index: number;
  key: string | null;
  /** The caller's record key (items that belong together). */
  recordKey: string | null;
  siteId: string;
  labels: string[];
  modality: string | null;
  mimeType: string | null;
  split: ItemSplit | null;
  metadata: Record<string, unknown> | null;
  text: string | null;
  content: Uint8Array | null;
}

export interface BulkOutcome {
  status: Exclude<BulkItemStatus, 'PENDING'>;
  itemId: string | null;
  errorCode: string | null;
  error: string | null;
}

/** A staged row without its content (for result lists). */
export type BulkItemResult = Omit<BulkIngestionItem, 'content' | 'text'>;

const ACTIVE: BulkIngestionStatus[] = ['QUEUED', 'RUNNING'];
const STAGE_ROWS_PER_STATEMENT = 200;
/** Staging 10,000 items of a few MB each is one transaction; Prisma's default is 5 s. */
const STAGE_TIMEOUT_MS = 10 * 60_000;

class AlreadyStored extends Error {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A lone surrogate as U+FFFD, as the driver writes it in a scalar string: Prisma's query encoding
 * refuses one inside a list (`String[]`) with an internal error.
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

export class BulkIngestionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<BulkIngestion | null> {
    return this.prisma.bulkIngestion.findUnique({ where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<BulkIngestion[]> {
    return this.prisma.bulkIngestion.findMany({ where: { id: { in: [...ids] } } });
  }

  findByKey(datasetId: string, idempotencyKey: string): Promise<BulkIngestion | null> {
    return this.prisma.bulkIngestion.findUnique({
      where: { datasetId_idempotencyKey: { datasetId, idempotencyKey } },
    });
  }

  /** The ingestion and every staged item, in one transaction: all of it or nothing. */
  create(input: NewBulkIngestion, items: StagedItem[]): Promise<BulkIngestion> {
    return mapped('Bulk ingestion', () =>
      this.prisma.$transaction(
        async (tx) => {
          const ingestion = await tx.bulkIngestion.create({
            data: { ...input, total: items.length },
          });
          for (let i = 0; i < items.length; i += STAGE_ROWS_PER_STATEMENT) {
            await tx.bulkIngestionItem.createMany({
              data: items.slice(i, i + STAGE_ROWS_PER_STATEMENT).map((item) => ({
                ingestionId: ingestion.id,
                index: item.index,
                key: item.key,
                recordKey: item.recordKey,
                siteId: item.siteId,
                labels: item.labels.map(wellFormed),
                modality: item.modality,
                mimeType: item.mimeType,
                split: item.split,
                ...(item.metadata ? { metadata: item.metadata as Prisma.InputJsonValue } : {}),
                text: item.text,
                content: item.content === null ? null : new Uint8Array(item.content),
              })),
            });
          }
          return ingestion;
        },
        { timeout: STAGE_TIMEOUT_MS, maxWait: STAGE_TIMEOUT_MS },
      ),
    );
  }

  /** Ingestions still QUEUED since before `before` (their job may never have been sent). */
  async queuedBefore(before: Date): Promise<string[]> {
    const rows = await this.prisma.bulkIngestion.findMany({
      where: { status: 'QUEUED', queuedAt: { lt: before } },
      select: { id: true },
      orderBy: { queuedAt: 'asc' },
    });
    return rows.map((row) => row.id);
  }

  /** Newest first. */
  async list(
    datasetId: string,
    args: { first: number; afterId?: string | null },
  ): Promise<Page<BulkIngestion>> {
    const [rows, total] = await Promise.all([
      this.prisma.bulkIngestion.findMany({
        where: { datasetId },
        orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
        take: args.first + 1,
        ...(args.afterId ? { skip: 1, cursor: { id: args.afterId } } : {}),
      }),
      this.prisma.bulkIngestion.count({ where: { datasetId } }),
    ]);
    return toPage(rows, args.first, total);
  }

  /** Staged rows in index order, after `afterIndex`, optionally of one status. */
  async results(
    ingestionId: string,
    args: { first: number; afterIndex: number | null; status: BulkItemStatus | null },
  ): Promise<Page<BulkItemResult>> {
    const where = { ingestionId, ...(args.status ? { status: args.status } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.bulkIngestionItem.findMany({
        where: {
          ...where,
          ...(args.afterIndex !== null ? { index: { gt: args.afterIndex } } : {}),
        },
        orderBy: { index: 'asc' },
        omit: { content: true, text: true },
        take: args.first + 1,
      }),
      this.prisma.bulkIngestionItem.count({ where }),
    ]);
    return toPage(rows, args.first, total);
  }

  /** The next staged rows without an outcome, with their content, in index order. */
  pending(ingestionId: string, take: number): Promise<BulkIngestionItem[]> {
    return this.prisma.bulkIngestionItem.findMany({
      where: { ingestionId, status: 'PENDING' },
      orderBy: { index: 'asc' },
      take,
    });
  }

  /** QUEUED or RUNNING → RUNNING, counting the attempt; false when it is final already. */
  async start(id: string): Promise<boolean> {
    const { count } = await this.prisma.bulkIngestion.updateMany({
      where: { id, status: { in: ACTIVE } },
      data: { status: 'RUNNING', attempts: { increment: 1 } },
    });
    if (count > 0)
      await this.prisma.bulkIngestion.updateMany({
        where: { id, startedAt: null },
        data: { startedAt: new Date() },
      });
    return count > 0;
  }

  /**
   * Stores one staged row's outcome and, for a new item, the item itself, in one transaction that
   * first claims the row: 'already' when another attempt stored its outcome first (nothing is
   * written then). A new item that collides with an existing one throws the CONFLICT DbError and
   * writes nothing.
   */
  async storeBulkOutcome(
    ingestionId: string,
    index: number,
    outcome: BulkOutcome,
    newItem: NewItem | null = null,
  ): Promise<'stored' | 'already'> {
    try {
      await mapped('Item', () =>
        this.prisma.$transaction(async (tx) => {
          const itemId = newItem ? (newItem.id ?? crypto.randomUUID()) : outcome.itemId;
          const { count } = await tx.bulkIngestionItem.updateMany({
            where: { ingestionId, index, status: 'PENDING' },
            data: {
              status: outcome.status,
              errorCode: outcome.errorCode,
              error: outcome.error,
              finishedAt: new Date(),
              content: null,
              text: null,
            },
          });
          if (count === 0) throw new AlreadyStored();
          if (newItem) await createItemIn(tx, { ...newItem, id: itemId! });
          // The item id last: the foreign key needs the item to exist.
          if (itemId)
            await tx.bulkIngestionItem.update({
              where: { ingestionId_index: { ingestionId, index } },
              data: { itemId },
            });
        }),
      );
      return 'stored';
    } catch (error) {
      if (error instanceof AlreadyStored) return 'already';
      throw error;
    }
  }

  /** Recomputes the counts from the staged rows' outcomes. */
  async recount(id: string): Promise<BulkIngestion> {
    const groups = await this.prisma.bulkIngestionItem.groupBy({
      by: ['status'],
      where: { ingestionId: id },
      _count: { _all: true },
    });
    const n = (status: BulkItemStatus) => groups.find((g) => g.status === status)?._count._all ?? 0;
    return this.prisma.bulkIngestion.update({
      where: { id },
      data: {
        created: n('CREATED'),
        duplicates: n('DUPLICATE'),
        failed: n('FAILED'),
        processed: n('CREATED') + n('DUPLICATE') + n('FAILED'),
      },
    });
  }

  /** Records the last error of an attempt that will be retried. */
  async noteError(id: string, error: string): Promise<void> {
    await this.prisma.bulkIngestion.updateMany({
      where: { id, status: { in: ACTIVE } },
      data: { error },
    });
  }

  /**
   * QUEUED or RUNNING → a final status (false when it was final already); the content of rows
   * that will never be worked is cleared.
   */
  async finish(
    id: string,
    status: Extract<BulkIngestionStatus, 'SUCCEEDED' | 'FAILED' | 'CANCELLED'>,
    error: string | null,
  ): Promise<boolean> {
    const { count } = await this.prisma.bulkIngestion.updateMany({
      where: { id, status: { in: ACTIVE } },
      data: { status, error, finishedAt: new Date() },
    });
    if (count > 0 && status !== 'SUCCEEDED')
      await this.prisma.bulkIngestionItem.updateMany({
        where: { ingestionId: id, status: 'PENDING' },
        data: { content: null, text: null },
      });
    return count > 0;
  }
}
