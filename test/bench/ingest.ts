/**
 * Featurisation throughput on the emoji demo corpus (emoji-datasource-google@16):
 *
 *   npx tsx test/bench/ingest.ts [--limit N] [--image-model mobilenet_v2|inception_v3] [--batch 32]
 *
 * Prints images/s (read → magic bytes → sha256 → decode/resize → CNN), documents/s for the
 * emoji texts (LSA fitted on them, 300 dims, fit time shown separately), documents/s for text
 * extraction of real PDF/DOCX/HTML/Markdown fixtures, and the process's peak RSS.
 * The full path into the database is measured once packages/db's import is wired in.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
} from '@concord/features';

const { values } = parseArgs({
  options: {
    limit: { type: 'string' },
    'image-model': { type: 'string', default: 'mobilenet_v2' },
    batch: { type: 'string', default: '32' },
  },
});

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
/** CPU seconds (user + system) used by this process since `from`: robust on a shared machine. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};
const records = loadEmojiCorpus();
const corpus = values.limit !== undefined ? records.slice(0, Number(values.limit)) : records;
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

// Document extraction on real files (PDF, DOCX, HTML, Markdown), repeated.
const fixtures = fileURLToPath(new URL('../fixtures/features/docs/', import.meta.url));
const docs = ['report.pdf', 'timetable.docx', 'page.html', 'notes.md'].map((f) => ({
  f,
  bytes: readFileSync(join(fixtures, f)),
}));
const rounds = 50;
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
console.log('into the database: not measured yet (packages/db import not wired)');
console.log(
  `peak RSS: ${peakRssMiB().toFixed(0)} MiB; load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
