/** Training runs: status lifecycle, per-epoch metrics, logs and epoch checkpoints. */
import type {
  Prisma,
  PrismaClient,
  TrainingCheckpoint,
  TrainingEpoch,
  TrainingRun,
  TrainingRunStatus,
} from '../generated/prisma/client.ts';
import type { SqlExecutor } from '../sql.ts';
import { mapped, pageQuery, toPage, type Page, type PageArgs } from './common.ts';

export interface RunProgress {
  stage?: string | null;
  epoch?: number;
  progress?: number;
  priorCandidates?: unknown[];
  selectedPrior?: Record<string, unknown> | null;
}

export class TrainingRunRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlExecutor,
  ) {}

  create(datasetId: string, config: Record<string, unknown>): Promise<TrainingRun> {
    return mapped('Training run', () =>
      this.prisma.trainingRun.create({
        data: { datasetId, config: config as Prisma.InputJsonValue },
      }),
    );
  }

  findById(id: string): Promise<TrainingRun | null> {
    return this.prisma.trainingRun.findUnique({ where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<TrainingRun[]> {
    return this.prisma.trainingRun.findMany({ where: { id: { in: [...ids] } } });
  }

  latest(datasetId: string): Promise<TrainingRun | null> {
    return this.prisma.trainingRun.findFirst({
      where: { datasetId },
      orderBy: { queuedAt: 'desc' },
    });
  }

  countUnfinished(datasetId: string): Promise<number> {
    return this.prisma.trainingRun.count({
      where: { datasetId, status: { in: ['QUEUED', 'RUNNING'] } },
    });
  }

  async list(datasetId: string, args: PageArgs): Promise<Page<TrainingRun>> {
    const where = { datasetId };
    const [rows, total] = await Promise.all([
      this.prisma.trainingRun.findMany({
        where,
        orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
        ...pageQuery(args),
      }),
      this.prisma.trainingRun.count({ where }),
    ]);
    return toPage(rows, args.first, total);
  }

  /** QUEUED/RUNNING → RUNNING, counting the attempt; null when the run is already final. */
  async start(id: string): Promise<TrainingRun | null> {
    const { count } = await this.prisma.trainingRun.updateMany({
      where: { id, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'RUNNING', attempts: { increment: 1 }, startedAt: new Date(), error: null },
    });
    return count === 0 ? null : this.findById(id);
  }

  update(id: string, progress: RunProgress): Promise<TrainingRun> {
    return this.prisma.trainingRun.update({
      where: { id },
      data: {
        ...(progress.stage !== undefined ? { stage: progress.stage } : {}),
        ...(progress.epoch !== undefined ? { epoch: progress.epoch } : {}),
        ...(progress.progress !== undefined ? { progress: progress.progress } : {}),
        ...(progress.priorCandidates !== undefined
          ? { priorCandidates: progress.priorCandidates as Prisma.InputJsonValue }
          : {}),
        ...(progress.selectedPrior !== undefined
          ? {
              selectedPrior: (progress.selectedPrior ?? undefined) as
                Prisma.InputJsonValue | undefined,
            }
          : {}),
      },
    });
  }

  /** Final state; only a run that is not final yet changes (a cancelled run stays cancelled). */
  async finish(
    id: string,
    status: Extract<TrainingRunStatus, 'SUCCEEDED' | 'FAILED' | 'CANCELLED'>,
    error: string | null = null,
  ): Promise<boolean> {
    const { count } = await this.prisma.trainingRun.updateMany({
      where: { id, status: { in: ['QUEUED', 'RUNNING'] } },
      data: {
        status,
        error,
        finishedAt: new Date(),
        ...(status === 'SUCCEEDED' ? { progress: 1 } : {}),
      },
    });
    return count > 0;
  }

  /** Appends one log entry atomically (JSON array append). */
  async appendLog(id: string, entry: Record<string, unknown>): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE training_run SET logs = logs || jsonb_build_array(${JSON.stringify(entry)}::jsonb)
      WHERE id = ${id}::uuid`;
  }

  /** Idempotent per (run, stage, unit, epoch): a resumed run overwrites, never duplicates. */
  async recordEpoch(
    runId: string,
    stage: string,
    unit: string,
    epoch: number,
    metrics: Record<string, unknown>,
  ): Promise<void> {
    const json = metrics as Prisma.InputJsonValue;
    await this.prisma.trainingEpoch.upsert({
      where: { runId_stage_unit_epoch: { runId, stage, unit, epoch } },
      create: { runId, stage, unit, epoch, metrics: json },
      update: { metrics: json },
    });
  }

  epochs(runId: string): Promise<TrainingEpoch[]> {
    return this.prisma.trainingEpoch.findMany({
      where: { runId },
      orderBy: [{ createdAt: 'asc' }, { stage: 'desc' }, { unit: 'asc' }, { epoch: 'asc' }],
    });
  }

  /**
   * Upserts the run's checkpoint. Written with plain SQL and a binary parameter: checkpoints are
   * megabytes, and the driver adapters' byte handling is far slower on that size.
   */
  async saveCheckpoint(
    runId: string,
    key: string,
    epoch: number,
    state: Uint8Array,
    meta: Record<string, unknown> = {},
  ): Promise<void> {
    await this.sql.query(
      `INSERT INTO training_checkpoint (run_id, key, epoch, state, meta)
       VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (run_id, key) DO UPDATE
         SET epoch = EXCLUDED.epoch, state = EXCLUDED.state, meta = EXCLUDED.meta,
             created_at = CURRENT_TIMESTAMP`,
      [
        runId,
        key,
        epoch,
        Buffer.from(state.buffer, state.byteOffset, state.byteLength),
        JSON.stringify(meta),
      ],
    );
  }

  async checkpoint(
    runId: string,
    key: string,
  ): Promise<Pick<TrainingCheckpoint, 'epoch' | 'state' | 'meta'> | null> {
    const [row] = await this.sql.query<{ epoch: number; state: Uint8Array; meta: unknown }>(
      'SELECT epoch, state, meta FROM training_checkpoint WHERE run_id = $1 AND key = $2',
      [runId, key],
    );
    return row
      ? {
          epoch: row.epoch,
          state: new Uint8Array(row.state),
          meta: row.meta as TrainingCheckpoint['meta'],
        }
      : null;
  }

  /** Every checkpoint row of the run whose key starts with `prefix`, by key. */
  async checkpointsByPrefix(
    runId: string,
    prefix: string,
  ): Promise<{ key: string; state: Uint8Array; meta: unknown }[]> {
    const rows = await this.sql.query<{ key: string; state: Uint8Array; meta: unknown }>(
      `SELECT key, state, meta FROM training_checkpoint
       WHERE run_id = $1 AND starts_with(key, $2) ORDER BY key`,
      [runId, prefix],
    );
    return rows.map((row) => ({ ...row, state: new Uint8Array(row.state) }));
  }

  /**
   * How many checkpoint rows of the run have a key starting with `prefix`. A fan-in reads it after
   * committing its own row, so of several units finishing at once the last reader sees them all.
   */
  async countCheckpoints(runId: string, prefix: string): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM training_checkpoint
       WHERE run_id = $1 AND starts_with(key, $2)`,
      [runId, prefix],
    );
    return row?.n ?? 0;
  }

  async deleteCheckpoint(runId: string, key: string): Promise<void> {
    await this.prisma.trainingCheckpoint.deleteMany({ where: { runId, key } });
  }

  countEpochs(runId: string): Promise<number> {
    return this.prisma.trainingEpoch.count({ where: { runId } });
  }

  /** Counts one more attempt of a running run (a retried job after a crash). */
  async countAttempt(id: string): Promise<void> {
    await this.prisma.trainingRun.updateMany({
      where: { id, status: 'RUNNING' },
      data: { attempts: { increment: 1 } },
    });
  }

  async deleteCheckpoints(runId: string): Promise<void> {
    await this.prisma.trainingCheckpoint.deleteMany({ where: { runId } });
  }
}
