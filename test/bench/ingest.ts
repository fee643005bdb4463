/**
 * Featurisation throughput on the emoji demo corpus (emoji-datasource-google@16):
 *
 *   npx tsx test/bench/ingest.ts [--quick] [--limit N] [--image-model mobilenet_v2|inception_v3]
 *                                [--batch 32] [--modes pglite,postgres] [--threads 1]
 *
 * `--quick`: the first 200 emoji (a few minutes on 2 cores) unless --limit says otherwise.
 *
 * Featurisation alone: images/s (read → magic bytes → sha256 → decode/resize → CNN), documents/s
 * for the emoji texts (LSA fitted on them, 300 dims, fit time shown separately), documents/s for
 * text extraction of real PDF/DOCX/HTML/Markdown fixtures.
 * Full path into the database, on PGlite (a temp folder on disk) and on PostgreSQL
 * (TEST_DATABASE_URL's server): the API's import (`importItems` → `ingestItems`: validation,
 * pipeline, checksum lookup, item + labels + feature vector in one transaction) in its default
 * batches, images then texts (texts are stored with their text; LSA is fitted per model at
 * training), then the same corpus again (every item a duplicate, found by checksum).
 * Then the process's peak RSS and the load average (the machine is shared); the last line is one
 * JSON object with the figures (items per wall second).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importItems, parseEnv, silentLogger, startApp, SYSTEM_PRINCIPAL } from '@concord/api';
import { openDatabase } from '@concord/db';
import { createServerDatabase } from '@concord/db/testing';
import {
  createImageFeaturiser,
  detectContent,
  emojiSourceItems,
  extractText,
  ingestInto,
  kindFromPath,
  loadEmojiCorpus,
  type BuiltinCnnId,
  type IngestResult,
  type SourceItem,
} from '@concord/features';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    limit: { type: 'string' },
    'image-model': { type: 'string', default: 'mobilenet_v2' },
    batch: { type: 'string', default: '32' },
    modes: { type: 'string', default: 'pglite,postgres' },
    /** The API's featuriser pool threads (IMAGE_FEATURISER_THREADS) on the into-database path. */
    threads: { type: 'string', default: '1' },
  },
});

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
/** CPU seconds (user + system) used by this process since `from`: robust on a shared machine. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};
const records = loadEmojiCorpus();
const QUICK_LIMIT = 200;
const limit = values.limit ?? (values.quick ? String(QUICK_LIMIT) : undefined);
const corpus = limit !== undefined ? records.slice(0, Number(limit)) : records;
/** The figures of the last line: items per wall second of each measurement. */
const figures: Record<string, unknown> = { quick: values.quick, emoji: corpus.length };
const perSecond = (n: number, seconds: number) => Number((n / seconds).toFixed(1));
const items = emojiSourceItems(corpus);
const images = items.filter((i) => i.modality === 'image');
const texts = items.filter((i) => i.modality === 'text');
const batchSize = Number(values.batch);

console.log(
  `corpus: ${corpus.length} emoji (${images.length} images, ${texts.length} texts), batch ${batchSize}`,
);

const loadStart = performance.now();
const image = await createImageFeaturiser({
  kind: 'builtin',
  model: values['image-model'] as BuiltinCnnId,
  batchSize,
});
console.log(`${image.id}: model load ${((performance.now() - loadStart) / 1000).toFixed(2)} s`);

function count(results: IngestResult[]): string {
  const failed = results.filter((r) => !r.ok);
  return `${results.length - failed.length} ok, ${failed.length} failed`;
}

// Images: the whole per-item path, featurisation only (no database).
let results: IngestResult[] = [];
let t = performance.now();
let cpu = process.cpuUsage();
await ingestInto(images, (r) => void results.push(r), { image, batchSize });
let s = (performance.now() - t) / 1000;
let c = cpuSeconds(cpu);
console.log(
  `images: ${(images.length / s).toFixed(1)} images/s wall, ${(images.length / c).toFixed(1)} per CPU-second (${images.length} in ${s.toFixed(1)} s, ${c.toFixed(1)} CPU s; ${count(results)}); peak RSS so far ${peakRssMiB().toFixed(0)} MiB`,
);
figures.imagesPerSecond = perSecond(images.length, s);
image.dispose();

// Texts: LSA fitted on this corpus's texts, then featurised.
results = [];
let fitMs = 0;
t = performance.now();
cpu = process.cpuUsage();
await ingestInto(texts, (r) => void results.push(r), {
  text: { fitLsa: {} },
  batchSize,
  onProgress: (e) => {
    if (e.phase === 'fitting') fitMs = performance.now();
  },
  onTextModel: () => {
    fitMs = performance.now() - fitMs;
  },
});
s = (performance.now() - t) / 1000;
c = cpuSeconds(cpu);
console.log(
  `texts: ${(texts.length / s).toFixed(1)} documents/s wall including the LSA fit, ${(texts.length / c).toFixed(1)} per CPU-second (${texts.length} in ${s.toFixed(1)} s, fit ${(fitMs / 1000).toFixed(1)} s; ${count(results)})`,
);

figures.textsPerSecond = perSecond(texts.length, s);
figures.lsaFitSeconds = Number((fitMs / 1000).toFixed(2));

// Document extraction on real files (PDF, DOCX, HTML, Markdown), repeated.
const fixtures = fileURLToPath(new URL('../fixtures/features/docs/', import.meta.url));
const docs = ['report.pdf', 'timetable.docx', 'page.html', 'notes.md'].map((f) => ({
  f,
  bytes: readFileSync(join(fixtures, f)),
}));
const rounds = values.quick ? 10 : 50;
t = performance.now();
cpu = process.cpuUsage();
for (let r = 0; r < rounds; r++)
  for (const d of docs) {
    const detected = await detectContent(d.bytes, kindFromPath(d.f));
    await extractText(d.bytes, detected.kind);
  }
s = (performance.now() - t) / 1000;
c = cpuSeconds(cpu);
console.log(
  `document extraction: ${((rounds * docs.length) / s).toFixed(1)} documents/s wall, ${((rounds * docs.length) / c).toFixed(1)} per CPU-second (PDF/DOCX/HTML/MD, ${rounds * docs.length} in ${s.toFixed(1)} s)`,
);
figures.documentsPerSecond = perSecond(rounds * docs.length, s);
// The full path into the database, both modes.
async function intoDatabase(mode: 'pglite' | 'postgres'): Promise<void> {
  const server = mode === 'postgres' ? await createServerDatabase() : null;
  const dataDir = server ? null : mkdtempSync(join(os.tmpdir(), 'concord-bench-ingest-'));
  const db = await openDatabase(
    server ? { mode: 'server', url: server.url, poolSize: 6 } : { mode: 'embedded', dataDir },
  );
  const app = await startApp(
    parseEnv({
      RUN_API: 'false',
      RUN_WORKER: 'false',
      NODE_ENV: 'production',
      IMAGE_FEATURISER_THREADS: values.threads,
    }),
    silentLogger,
    { db, serverUrl: server?.url ?? null },
  );
  try {
    const { deps } = app;
    await deps.featurisers.imageFeaturiser(); // load the CNN outside the timing
    const dataset = await deps.repos.datasets.create({
      name: 'bench',
      modalities: ['image', 'text'],
      dimension: 64,
    });
    const intoDb: Record<string, number> = {};
    figures[mode] = intoDb;
    const run = async (what: string, list: SourceItem[], unit: string) => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await importItems(deps, SYSTEM_PRINCIPAL, list, {
        datasetId: dataset.id,
        createLabels: true,
      });
      const sec = (performance.now() - t0) / 1000;
      const cpuSec = cpuSeconds(cpu0);
      console.log(
        `into the database (${mode}, ${values.threads} featuriser thread(s)), ${what}: ${(list.length / sec).toFixed(1)} ${unit}/s wall, ${(list.length / cpuSec).toFixed(1)} per CPU-second of this process (${list.length} in ${sec.toFixed(1)} s; created ${r.created}, duplicates ${r.duplicates}, failed ${r.failed})`,
      );
      return perSecond(list.length, sec);
    };
    intoDb.imagesPerSecond = await run('images', images, 'images');
    intoDb.textsPerSecond = await run('texts', texts, 'documents');
    intoDb.duplicatesPerSecond = await run('again, all duplicates', items, 'items');
  } finally {
    await app.stop();
    await db.close();
    await server?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
for (const mode of values.modes.split(',')) {
  if (mode !== 'pglite' && mode !== 'postgres') throw new Error(`unknown mode ${mode}`);
  await intoDatabase(mode);
}
console.log(
  `peak RSS: ${peakRssMiB().toFixed(0)} MiB; load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
figures.peakRssMiB = Math.round(peakRssMiB());
console.log(JSON.stringify(figures));
