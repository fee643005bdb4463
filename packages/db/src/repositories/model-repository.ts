/** Trained models (versions), their per-modality networks, promotion and rollback. */
import { DbError } from '../errors.ts';
import type {
  Model,
  ModelModality,
  ModelStatus,
  PrismaClient,
  Prisma,
} from '../generated/prisma/client.ts';
import { mapped, pageQuery, toPage, type Page, type PageArgs } from './common.ts';

export interface NewModel {
  datasetId: string;
  trainingRunId: string;
  dimension: number;
  config: Record<string, unknown>;
  prior: Uint8Array;
  priorSource: Record<string, unknown>;
}

export interface ModalityInput {
  modality: string;
  featuriserId: string;
  featuriserVersion: string;
  weights: Uint8Array;
  spec: Record<string, unknown>;
  featuriserState: Uint8Array | null;
}

export class ModelRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The model of a training run, created once: a retried job finds the one it made before, so a
   * run never makes two versions. Versions count up per dataset.
   */
  createForRun(input: NewModel, modalities: readonly ModalityInput[]): Promise<Model> {
    return mapped('Model', () =>
      this.prisma.$transaction(async (tx) => {
        const existing = await tx.model.findUnique({
          where: { trainingRunId: input.trainingRunId },
        });
        if (existing) return existing;
        await tx.$executeRaw`SELECT id FROM dataset WHERE id = ${input.datasetId}::uuid FOR UPDATE`;
        const last = await tx.model.aggregate({
          where: { datasetId: input.datasetId },
          _max: { version: true },
        });
        const model = await tx.model.create({
          data: {
            datasetId: input.datasetId,
            trainingRunId: input.trainingRunId,
            version: (last._max.version ?? 0) + 1,
            // TRAINING until its embeddings are written and indexed.
            status: 'TRAINING',
            dimension: input.dimension,
            config: input.config as Prisma.InputJsonValue,
            prior: new Uint8Array(input.prior),
            priorSource: input.priorSource as Prisma.InputJsonValue,
          },
        });
        for (const m of modalities) {
          await tx.modelModality.create({
            data: {
              modelId: model.id,
              modality: m.modality,
              featuriserId: m.featuriserId,
              featuriserVersion: m.featuriserVersion,
              weights: new Uint8Array(m.weights),
              spec: m.spec as Prisma.InputJsonValue,
              featuriserState: m.featuriserState ? new Uint8Array(m.featuriserState) : null,
            },
          });
        }
        return model;
      }),
    );
  }

  findById(id: string): Promise<Model | null> {
    return this.prisma.model.findUnique({ where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<Model[]> {
    return this.prisma.model.findMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * The models an item arriving now must be embedded by so that it is found at once: the active
   * model, and the model a running training run is embedding and evaluating (blue/green) so that
   * it holds the item when it is promoted.
   */
  liveFor(datasetId: string): Promise<Model[]> {
    return this.prisma.model.findMany({
      where: {
        datasetId,
        OR: [
          { status: 'ACTIVE' },
          {
            status: { in: ['TRAINING', 'EVALUATING', 'READY'] },
            trainingRun: { status: 'RUNNING' },
          },
        ],
      },
      orderBy: { version: 'asc' },
    });
  }

  findByRun(trainingRunId: string): Promise<Model | null> {
    return this.prisma.model.findUnique({ where: { trainingRunId } });
  }

  async list(datasetId: string, args: PageArgs): Promise<Page<Model>> {
    const where = { datasetId };
    const [rows, total] = await Promise.all([
      this.prisma.model.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        ...pageQuery(args),
      }),
      this.prisma.model.count({ where }),
    ]);
    return toPage(rows, args.first, total);
  }

  modalities(modelId: string): Promise<ModelModality[]> {
    return this.prisma.modelModality.findMany({ where: { modelId }, orderBy: { modality: 'asc' } });
  }

  modality(modelId: string, modality: string): Promise<ModelModality | null> {
    return this.prisma.modelModality.findUnique({
      where: { modelId_modality: { modelId, modality } },
    });
  }

  setStatus(id: string, status: ModelStatus, metrics?: Record<string, unknown>): Promise<Model> {
    return mapped('Model', () =>
      this.prisma.model.update({
        where: { id },
        data: { status, ...(metrics ? { metrics: metrics as Prisma.InputJsonValue } : {}) },
      }),
    );
  }

  /** Stores the held-out evaluation (named metrics) without changing the status. */
  setMetrics(id: string, metrics: Record<string, unknown>): Promise<Model> {
    return mapped('Model', () =>
      this.prisma.model.update({
        where: { id },
        data: { metrics: metrics as Prisma.InputJsonValue },
      }),
    );
  }

  /** Stores the promotion gate's verdict and its figures on the candidate model. */
  setGate(id: string, gate: Record<string, unknown>): Promise<Model> {
    return mapped('Model', () =>
      this.prisma.model.update({ where: { id }, data: { gate: gate as Prisma.InputJsonValue } }),
    );
  }

  /**
   * Makes `modelId` the dataset's active model in one transaction: the previous active model is
   * RETIRED (its embeddings and index stay, so it can be rolled back to).
   */
  promote(modelId: string): Promise<Model> {
    return mapped('Model', () =>
      this.prisma.$transaction(async (tx) => {
        const model = await tx.model.findUnique({ where: { id: modelId } });
        if (!model) throw new DbError('NOT_FOUND', `Unknown model id: ${JSON.stringify(modelId)}.`);
        await tx.$executeRaw`SELECT id FROM dataset WHERE id = ${model.datasetId}::uuid FOR UPDATE`;
        await tx.model.updateMany({
          where: { datasetId: model.datasetId, status: 'ACTIVE', id: { not: modelId } },
          data: { status: 'RETIRED' },
        });
        await tx.dataset.update({
          where: { id: model.datasetId },
          data: { activeModelId: modelId },
        });
        return tx.model.update({
          where: { id: modelId },
          data: { status: 'ACTIVE', promotedAt: new Date() },
        });
      }),
    );
  }

  /** The model that was active before the current one (most recently promoted, not active). */
  previousActive(datasetId: string, currentId: string | null): Promise<Model | null> {
    return this.prisma.model.findFirst({
      where: {
        datasetId,
        promotedAt: { not: null },
        status: 'RETIRED',
        ...(currentId ? { id: { not: currentId } } : {}),
      },
      orderBy: { promotedAt: 'desc' },
    });
  }

  /** One embedding's vector (e.g. for search by item), or null. */
  async vectorOf(modelId: string, itemId: string): Promise<number[] | null> {
    const rows = await this.prisma.$queryRaw<{ v: string }[]>`
      SELECT vector::text AS v FROM embedding
      WHERE model_id = ${modelId}::uuid AND item_id = ${itemId}::uuid`;
    const text = rows[0]?.v;
    return text ? (JSON.parse(text) as number[]) : null;
  }
}
