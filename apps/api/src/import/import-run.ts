/**
 * What `importItems` and `importVectors` share: the dataset and its sites (a site an entry names
 * is created on first use), the label checks, and storing prepared entries through the API's own
 * ingestion service (`ingestItems`) in batches. The same content twice in one batch splits it
 * (the second is then found as a duplicate instead of racing for its checksum); a batch the
 * service refuses whole is retried entry by entry, so only the bad entry fails; progress is
 * reported after each batch, and the event loop gets a turn between batches.
 */
import { isDbError, type Dataset } from '@concord/db';
import type { Principal } from '../auth/principal.ts';
import type { AppDeps } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { checkLabelName } from '../services/datasets/manage-labels.ts';
import { ingestItems, type IngestItemData } from '../services/items/ingest-items.ts';

export interface ImportCounts {
  created: number;
  duplicates: number;
  failed: number;
}

export interface ImportProgress extends ImportCounts {
  processed: number;
  total?: number;
  elapsedMs: number;
}

export interface ImportError {
  key: string;
  /** 1-based row of a feature file (`importVectors`). */
  row?: number;
  code: string;
  message: string;
}

export interface ImportSummary extends ImportCounts {
  errors: ImportError[];
  elapsedMs: number;
}

/** Where an entry's errors are reported: its key, and its feature-file row if it has one. */
export interface EntryRef {
  key: string;
  row?: number;
}

/** One entry ready for the ingestion service. */
export interface ImportEntry extends EntryRef {
  data: IngestItemData;
  /** The content's checksum: two equal entries never share a batch. */
  checksum: string;
}

export interface BatchOptions {
  /** Entries per `ingestItems` call (at most MAX_INGEST_BATCH). */
  batchSize?: number;
  /** Number of entries, when known, for progress. */
  total?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops between entries; what was stored stays stored (a re-import skips it). */
  signal?: AbortSignal;
  /**
   * Create labels the dataset does not have (`--create-labels`); without it (and unless the
   * dataset allows label creation) an entry naming one fails alone with UNKNOWN_LABEL.
   */
  createLabels?: boolean;
}

/** A refusal: why an entry cannot be imported. */
export interface Refusal {
  code: string;
  message: string;
}

export class ImportRun {
  readonly summary: ImportSummary = {
    created: 0,
    duplicates: 0,
    failed: 0,
    errors: [],
    elapsedMs: 0,
  };
  private readonly started = Date.now();

  private constructor(
    private readonly deps: AppDeps,
    private readonly principal: Principal,
    readonly dataset: Dataset,
    private readonly sites: Set<string>,
    private readonly createLabels: boolean,
  ) {}

  static async open(
    deps: AppDeps,
    principal: Principal,
    datasetId: string,
    createLabels = false,
  ): Promise<ImportRun> {
    const dataset = await deps.repos.datasets.findById(datasetId);
    if (!dataset) throw notFound('dataset', datasetId);
    const sites = (await deps.repos.datasets.listSites(dataset.id)).map((s) => s.name);
    return new ImportRun(deps, principal, dataset, new Set(sites), createLabels);
  }

  /** Records a failed entry; a row's message says which row. Returns null for `prepare`. */
  fail(ref: EntryRef, refusal: Refusal): null {
    this.summary.failed++;
    this.summary.errors.push({
      key: ref.key,
      ...(ref.row !== undefined ? { row: ref.row } : {}),
      code: refusal.code,
      message: ref.row !== undefined ? `row ${ref.row}: ${refusal.message}` : refusal.message,
    });
    return null;
  }

  /** An entry's labels (its own, else the defaults), or why they cannot be used. */
  labels(given: readonly string[], defaults: readonly string[] = []): string[] | Refusal {
    const labels = given.length > 0 ? [...given] : [...defaults];
    if (labels.length < 1 || labels.length > 50)
      return { code: 'BAD_LABELS', message: 'an entry needs 1..50 labels' };
    try {
      labels.forEach((label) => checkLabelName(label));
    } catch (error) {
      return { code: 'BAD_LABELS', message: (error as Error).message };
    }
    return labels;
  }

  /** The site an entry names (created when missing, unless `create` is false), or a refusal. */
  async site(name: string | undefined, create = true): Promise<string | Refusal> {
    if (name === undefined) return { code: 'NO_SITE', message: 'the entry names no site' };
    if (!this.sites.has(name)) {
      if (!create) return { code: 'UNKNOWN_SITE', message: `the dataset has no site "${name}"` };
      await this.deps.repos.datasets
        .createSite(this.dataset.id, { name })
        .catch((error: unknown) => {
          if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
        });
      this.sites.add(name);
    }
    return name;
  }

  /** Prepares each source entry and stores the prepared ones in batches; the summary at the end. */
  async run<T>(
    source: Iterable<T> | AsyncIterable<T>,
    prepare: (entry: T) => Promise<ImportEntry | null>,
    options: BatchOptions,
    defaultBatch: number,
  ): Promise<ImportSummary> {
    const batchSize = Math.max(
      1,
      Math.min(options.batchSize ?? defaultBatch, this.deps.env.MAX_INGEST_BATCH),
    );
    let batch: ImportEntry[] = [];
    let checksums = new Set<string>();
    let processed = 0;
    let pending = 0;
    const flush = async () => {
      if (batch.length > 0) await this.store(batch);
      batch = [];
      pending = 0;
      checksums = new Set();
      this.summary.elapsedMs = Date.now() - this.started;
      const { created, duplicates, failed, elapsedMs } = this.summary;
      options.onProgress?.({
        processed,
        created,
        duplicates,
        failed,
        ...(options.total !== undefined ? { total: options.total } : {}),
        elapsedMs,
      });
      // Let requests waiting on the event loop run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    };
    for await (const item of source) {
      options.signal?.throwIfAborted();
      const entry = await prepare(item);
      if (entry) {
        if (checksums.has(entry.checksum)) await flush();
        checksums.add(entry.checksum);
        batch.push(entry);
      }
      processed++;
      pending++;
      if (pending >= batchSize) await flush();
    }
    await flush();
    return this.summary;
  }

  private async store(batch: ImportEntry[]): Promise<void> {
    try {
      const outcome = await ingestItems(this.deps, this.principal, {
        datasetId: this.dataset.id,
        createLabels: this.createLabels,
        items: batch.map((entry) => entry.data),
      });
      for (const r of outcome.results) {
        if (r.status === 'CREATED') this.summary.created++;
        else if (r.status === 'DUPLICATE') this.summary.duplicates++;
        else
          this.fail(batch[r.index]!, {
            code: r.errorCode ?? 'FAILED',
            message: r.error ?? 'failed',
          });
      }
    } catch (error) {
      // The service refused the whole batch: find the entries it refuses, one at a time.
      if (!(error instanceof AppError)) throw error;
      if (batch.length > 1) {
        for (const one of batch) await this.store([one]);
        return;
      }
      // The service names the entry's index in its one-entry batch: the entry's own ref says more.
      this.fail(batch[0]!, { code: error.code, message: error.message.replace(/^Item 0: /, '') });
    }
  }
}
