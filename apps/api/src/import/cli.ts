#!/usr/bin/env tsx
/**
 * Imports a folder or a manifest into a dataset, through the API's ingestion service, on the
 * database the API uses (DATABASE_URL, or the embedded one in CONCORD_DATA_DIR — stop the server
 * first: an embedded database has one process):
 *
 *   npm run import -w @concord/api -- <folder|manifest.csv|manifest.jsonl> --dataset <name|id> [options]
 *   npm run import -w @concord/api -- <features.npy|.jsonl|.csv> --dataset <name|id> --vectors --modality image|text [options]
 *
 * Re-importing is a no-op per item (same content = same checksum). Failed items are listed with
 * their code and the rest goes on; `--errors <file>` writes them as JSONL. Exit code 0 when no
 * item failed, 1 when some did, 2 on bad usage.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ItemSplit } from '@concord/db';
import type { SourceItem } from '@concord/features';
import { startApp } from '../app.ts';
import { AppError } from '../errors.ts';
import { parseEnv } from '../env.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { createDataset } from '../services/datasets/create-dataset.ts';
import {
  DEFAULT_IMPORT_BATCH,
  importItems,
  SYSTEM_PRINCIPAL,
  type ImportProgress,
  type ImportSummary,
} from './import-items.ts';
import { importedFeaturesOf } from '../services/datasets/imported-features.ts';
import { importVectors } from './import-vectors.ts';
import {
  countRows,
  firstDimension,
  parseClassNames,
  vectorRows,
  vectorStreamArgs,
} from './vector-source.ts';

const USAGE = `usage: import <folder|manifest.csv|manifest.jsonl> --dataset <name|id> [options]
       import <features.npy|.jsonl|.csv> --dataset <name|id> --vectors --modality image|text [options]
  --create                 create the dataset when it does not exist (image + text)
  --dimension N            shared-space size of a created dataset (default 256)
  --image-featuriser ID    image CNN of a created dataset: nsfwjs/mobilenet_v2, nsfwjs/inception_v3
                           or user/<name> from CONCORD_MODELS_DIR (default IMAGE_FEATURISER)
  --site NAME              site of items that name none (created when missing)
  --label NAME             label of items that have none (repeatable)
  --label-from-folder      folder input: label = parent folder name
  --create-labels          create labels the dataset does not have yet (without it, and unless the
                           dataset allows label creation, an item naming one fails: UNKNOWN_LABEL)
  --batch N                items per ingestion batch (default ${DEFAULT_IMPORT_BATCH})
  --errors FILE            write failed items as JSONL (key, code, message)
  --quiet                  no progress bar
pre-extracted vectors (--vectors), into a modality whose features are imported:
  --modality image|text    the modality the vectors are of
  --labels FILE.npy        per-row class ids (1-D) or multi-hot rows (2-D), for a .npy file
  --class-names a,b,c      names of class ids 0, 1, 2… (default the id); or --class-names-file F
  --split TRAIN|VALIDATION|TEST   split of every row (default: from the vector's checksum)
  --vector-name NAME       with --create: the modality's featuriser is vectors/NAME, at the
                           file's dimension (the other modality keeps its usual featuriser)
  JSONL rows: {"vector": [...], "labels": [...] or "label", "site", "id"}; CSV: id, site,
  labels/label columns and the vector's numeric columns.
manifest columns/keys: path or text, modality (image|text), labels (a|b or JSON array) or label,
site, id (the item's key), mime; relative paths are resolved against the manifest's folder.`;

const OPTIONS = {
  dataset: { type: 'string' },
  create: { type: 'boolean', default: false },
  dimension: { type: 'string' },
  'image-featuriser': { type: 'string' },
  site: { type: 'string' },
  label: { type: 'string', multiple: true },
  'label-from-folder': { type: 'boolean', default: false },
  'create-labels': { type: 'boolean', default: false },
  batch: { type: 'string' },
  errors: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  vectors: { type: 'boolean', default: false },
  modality: { type: 'string' },
  labels: { type: 'string' },
  'class-names': { type: 'string' },
  'class-names-file': { type: 'string' },
  split: { type: 'string' },
  'vector-name': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

async function readSources(
  input: string,
  opts: { site?: string; labelFromFolder: boolean },
): Promise<SourceItem[]> {
  const { readManifest, walkFolder } = await import('@concord/features');
  const info = await stat(input).catch(() => null);
  if (!info) throw new UsageError(`no such file or folder: ${input}`);
  if (!info.isDirectory()) return readManifest(input);
  const items: SourceItem[] = [];
  for await (const item of walkFolder(input, {
    labelFromFolder: opts.labelFromFolder,
    ...(opts.site !== undefined ? { site: opts.site } : {}),
  }))
    items.push(item);
  return items;
}

interface VectorInput {
  modality: 'image' | 'text';
  args: Awaited<ReturnType<typeof vectorStreamArgs>>;
  split: ItemSplit | null;
  /** `--vector-name`, for --create. */
  name: string | null;
  /** The first valid row's size (for --create). */
  dimension: number | undefined;
  total: number | undefined;
}

const SPLITS = new Set(['TRAIN', 'VALIDATION', 'TEST']);

async function readVectorInput(
  input: string,
  opts: {
    modality?: string;
    labels?: string;
    'class-names'?: string;
    'class-names-file'?: string;
    split?: string;
    'vector-name'?: string;
    create: boolean;
  },
  cwd: string,
): Promise<VectorInput> {
  const modality = opts.modality?.toLowerCase();
  if (modality !== 'image' && modality !== 'text')
    throw new UsageError('--vectors needs --modality image or --modality text');
  const split = opts.split?.toUpperCase();
  if (split !== undefined && !SPLITS.has(split))
    throw new UsageError('--split must be TRAIN, VALIDATION or TEST');
  if (opts['class-names'] !== undefined && opts['class-names-file'] !== undefined)
    throw new UsageError('give --class-names or --class-names-file, not both');
  const info = await stat(input).catch(() => null);
  if (!info?.isFile()) throw new UsageError(`no such file: ${input}`);
  const namesFile = opts['class-names-file'];
  const classNames =
    namesFile !== undefined
      ? parseClassNames(await readFile(resolve(cwd, namesFile), 'utf8'))
      : opts['class-names'] !== undefined
        ? parseClassNames(opts['class-names'])
        : undefined;
  const args = await vectorStreamArgs({
    ...(opts.labels !== undefined ? { labelsFile: resolve(cwd, opts.labels) } : {}),
    ...(classNames ? { classNames } : {}),
  });
  const name = opts['vector-name'] ?? null;
  if (opts.create && name === null)
    throw new UsageError(
      '--create with --vectors needs --vector-name (the featuriser is vectors/NAME)',
    );
  return {
    modality,
    args,
    split: (split as ItemSplit | undefined) ?? null,
    name,
    dimension: opts.create ? await firstDimension(input, args) : undefined,
    total: await countRows(input),
  };
}

function isFeatureError(error: unknown): boolean {
  return error instanceof Error && error.name === 'FeatureError';
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function runImportCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  log: Logger = silentLogger,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: opts, positionals } = parsed;
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  // `npm run import -w @concord/api` runs in apps/api; paths are meant from where npm was run.
  const cwd = env.INIT_CWD ?? process.cwd();
  const [given] = positionals;
  const input = given === undefined ? undefined : resolve(cwd, given);
  if (input === undefined || opts.dataset === undefined || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  let items: SourceItem[] = [];
  let vectors: VectorInput | null = null;
  let batchSize: number | undefined;
  let dimension: number | undefined;
  try {
    batchSize = positiveInt('batch', opts.batch);
    dimension = positiveInt('dimension', opts.dimension);
    if (opts.vectors) vectors = await readVectorInput(input, opts, cwd);
    else
      items = await readSources(input, {
        labelFromFolder: opts['label-from-folder'],
        ...(opts.site !== undefined ? { site: opts.site } : {}),
      });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }

  const config = parseEnv({
    // An import has the machine to itself (the API's default of one thread keeps a core for
    // requests): one featuriser thread per core, a batch split across them.
    IMAGE_FEATURISER_THREADS: String(Math.min(availableParallelism(), 16)),
    ...env,
    RUN_API: 'false',
    RUN_WORKER: 'false',
  });
  // PGlite keeps postmaster.pid while a process has the folder open (and removes it on close).
  const pid = join(config.CONCORD_DATA_DIR, 'postmaster.pid');
  if (!config.DATABASE_URL && existsSync(pid)) {
    console.error(
      `The embedded database in ${config.CONCORD_DATA_DIR} is open in another process (npm start?): stop it first — one process at a time may open it. If none is running (a crash left ${pid} behind), start and stop npm start once.`,
    );
    return 2;
  }
  const app = await startApp(config, log);
  try {
    if (app.adminKey) {
      console.error(
        `The database was empty: an admin API key was created. It is shown only this once:\n  ${app.adminKey}`,
      );
    }
    const { deps } = app;
    const name = opts.dataset;
    let dataset = (await deps.repos.datasets.all()).find((d) => d.name === name || d.id === name);
    if (!dataset && opts.create) {
      const created = await createDataset(deps, SYSTEM_PRINCIPAL, {
        name,
        ...(dimension !== undefined ? { dimension } : {}),
        ...(vectors
          ? {
              importedFeatures: [
                {
                  modality: vectors.modality,
                  name: vectors.name ?? '',
                  dimension: vectors.dimension ?? 0,
                },
              ],
            }
          : {}),
        ...(opts['image-featuriser'] !== undefined
          ? { imageFeaturiser: opts['image-featuriser'] }
          : {}),
      }).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        console.error(error.message);
        return null;
      });
      if (!created) return 2;
      dataset = created;
      console.error(`created dataset "${dataset.name}" (${dataset.id})`);
    }
    if (!dataset) {
      console.error(`no dataset "${name}" (pass --create to create it)`);
      return 2;
    }

    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        format:
          'importing [{bar}] {value}/{total} | created {created} duplicate {duplicates} failed {failed} | {duration_formatted}',
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const total = vectors ? (vectors.total ?? 0) : items.length;
    if (!opts.quiet) bar.start(total, 0, { created: 0, duplicates: 0, failed: 0 });
    const common = {
      datasetId: dataset.id,
      total,
      ...(opts.site !== undefined ? { defaultSite: opts.site } : {}),
      ...(opts.label !== undefined ? { defaultLabels: opts.label } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      createLabels: opts['create-labels'],
      onProgress: (p: ImportProgress) => {
        if (!opts.quiet) bar.update(p.processed, { ...p });
      },
    };
    // The reader checks each row against the dataset's dimension, not the file's first row's (a
    // wrong first row would otherwise fail every good row after it).
    const vectorArgs = (v: VectorInput) => {
      const dims = importedFeaturesOf(dataset).get(v.modality)?.dimension;
      return dims !== undefined ? { ...v.args, dims } : v.args;
    };
    let summary: ImportSummary;
    try {
      summary = vectors
        ? await importVectors(deps, SYSTEM_PRINCIPAL, vectorRows(input, vectorArgs(vectors)), {
            ...common,
            modality: vectors.modality,
            ...(vectors.split ? { split: vectors.split } : {}),
          })
        : await importItems(deps, SYSTEM_PRINCIPAL, items, common);
    } catch (error) {
      if (!opts.quiet) bar.stop();
      if (!(error instanceof AppError || isFeatureError(error))) throw error;
      console.error((error as Error).message);
      return 2;
    }
    if (!opts.quiet) bar.stop();
    const seconds = summary.elapsedMs / 1000;
    console.log(
      `imported into "${dataset.name}": ${summary.created} created, ${summary.duplicates} duplicates (already stored), ${summary.failed} failed, in ${seconds.toFixed(1)} s`,
    );
    for (const e of summary.errors.slice(0, 20))
      console.log(`  ${e.row !== undefined ? `row ${e.row}` : e.key}: ${e.code} ${e.message}`);
    if (summary.errors.length > 20) console.log(`  … ${summary.errors.length - 20} more`);
    if (opts.errors !== undefined) {
      await writeFile(
        resolve(cwd, opts.errors),
        summary.errors.map((e) => JSON.stringify(e) + '\n').join(''),
      );
    }
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await app.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  void runImportCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
