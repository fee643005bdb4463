import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFeaturiser, type ImageFeaturiser } from '../image/cnn-featuriser.ts';
import type { LsaModel } from '../text/lsa.ts';
import { PASCAL, fixture } from '../test-paths.ts';
import { ingest, ingestInto } from './ingest.ts';
import type { IngestResult, ProgressEvent, SourceItem } from './types.ts';

const jpegPath = join(PASCAL, 'images', '2008_000716.jpg');
const jpeg = readFileSync(jpegPath);

/** Good and bad items interleaved, so every batch of 4 mixes both. */
const items: SourceItem[] = [
  { key: 'photo', path: jpegPath, labels: ['aeroplane'], site: 'hq' },
  { key: 'truncated', bytes: jpeg.subarray(0, jpeg.length >> 1), mime: 'image/jpeg', labels: [] },
  { key: 'svg', path: fixture('images', 'left-red.svg'), labels: ['shape'] },
  { key: 'bomb', path: fixture('bad', 'bomb-8000x6000.png'), labels: [] },
  { key: 'gif', path: fixture('images', 'two-frames.gif'), labels: [] },
  { key: 'liar', path: fixture('bad', 'png-named.jpg'), labels: [] },
  { key: 'webp', path: fixture('images', 'halves.webp'), labels: [] },
  { key: 'tiff', path: fixture('images', 'halves.tiff'), labels: [] },
  { key: 'png', path: fixture('images', 'alpha.png'), labels: [] },
  {
    key: 'caption',
    text: 'Two jets taxi past each other at the airport.',
    labels: ['aeroplane'],
    site: 'branch',
  },
  { key: 'binary', path: fixture('bad', 'binary.txt'), labels: [] },
  { key: 'pdf', path: fixture('docs', 'report.pdf'), labels: ['report'] },
  { key: 'empty', path: fixture('bad', 'empty.txt'), labels: [] },
  { key: 'docx', path: fixture('docs', 'timetable.docx'), labels: [] },
  { key: 'encrypted', path: fixture('bad', 'encrypted.pdf'), labels: [] },
  { key: 'html', path: fixture('docs', 'page.html'), labels: [] },
  { key: 'md', path: fixture('docs', 'notes.md'), labels: [] },
  { key: 'image-as-text', path: jpegPath, modality: 'text', labels: [] },
  { key: 'missing', path: fixture('does-not-exist.png'), labels: [] },
  {
    key: 'bad-row',
    labels: [],
    error: { code: 'BAD_RECORD', message: 'row 9: needs exactly one of path or text' },
  },
  { key: 'txt', path: fixture('docs', 'caption.txt'), labels: [] },
];

const expected: Record<string, string> = {
  photo: 'featurised',
  truncated: 'CORRUPT_IMAGE',
  svg: 'featurised',
  bomb: 'PIXEL_LIMIT',
  gif: 'featurised',
  liar: 'TYPE_MISMATCH',
  webp: 'featurised',
  tiff: 'featurised',
  png: 'featurised',
  caption: 'featurised',
  binary: 'BINARY_TEXT',
  pdf: 'featurised',
  empty: 'EMPTY_CONTENT',
  docx: 'featurised',
  encrypted: 'ENCRYPTED_PDF',
  html: 'featurised',
  md: 'featurised',
  'image-as-text': 'TYPE_MISMATCH',
  missing: 'READ_FAILED',
  'bad-row': 'BAD_RECORD',
  txt: 'featurised',
};

const outcome = (r: IngestResult) => (r.ok ? r.status : r.error.code);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('ingest pipeline', () => {
  let image: ImageFeaturiser;
  let first: IngestResult[];
  let model: LsaModel | undefined;
  const events: ProgressEvent[] = [];

  beforeAll(async () => {
    image = await createImageFeaturiser({ kind: 'builtin', model: 'mobilenet_v2' });
    first = [];
    const summary = await ingestInto(items, (r) => void first.push(r), {
      image,
      text: { fitLsa: { dims: 8 } },
      onTextModel: (m) => {
        model = m;
      },
      batchSize: 4,
      total: items.length,
      onProgress: (e) => events.push(e),
    });
    expect(summary.featurised + summary.failed).toBe(items.length);
  });
  afterAll(() => image.dispose());

  it('gives every item its own outcome: bad items fail clearly, their neighbours succeed', () => {
    expect(first).toHaveLength(items.length);
    const byKey = Object.fromEntries(first.map((r) => [r.item.key, outcome(r)]));
    expect(byKey).toEqual(expected);
    for (const r of first) if (!r.ok) expect(r.error.message.length).toBeGreaterThan(10);
  });

  it('records content, checksum, size, mime, labels, site and featuriser id/version on each vector', () => {
    const photo = first.find((r) => r.item.key === 'photo');
    if (photo?.status !== 'featurised') throw new Error('photo not featurised');
    expect(photo.checksum).toBe(sha256(jpeg));
    expect(photo.size).toBe(jpeg.length);
    expect(Buffer.from(photo.content).equals(jpeg)).toBe(true);
    expect([photo.mime, photo.modality, photo.item.site, photo.item.labels]).toEqual([
      'image/jpeg',
      'image',
      'hq',
      ['aeroplane'],
    ]);
    expect(photo.features).toHaveLength(1280);
    expect([photo.featuriserId, photo.featuriserVersion]).toEqual([image.id, image.version]);
    expect(photo.metadata).toMatchObject({ width: 500, height: 278 });

    const caption = first.find((r) => r.item.key === 'caption');
    if (caption?.status !== 'featurised') throw new Error('caption not featurised');
    expect(caption.checksum).toBe(
      sha256(Buffer.from('Two jets taxi past each other at the airport.')),
    );
    expect(caption.features).toHaveLength(8);
    expect(caption.featuriserId).toBe('lsa-tfidf');
    expect(caption.featuriserVersion).toBe(model?.version);
    const pdf = first.find((r) => r.item.key === 'pdf');
    expect(pdf?.status === 'featurised' && pdf.text).toContain('runway lighting repairs');
  });

  it('reports progress up to a final "done" that counts every item', () => {
    const last = events.at(-1)!;
    expect(last.phase).toBe('done');
    expect([last.processed, last.total]).toEqual([items.length, items.length]);
    expect(events.some((e) => e.phase === 'fitting')).toBe(true);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.processed).toBeGreaterThanOrEqual(events[i - 1]!.processed);
  });

  it('re-importing the same content is a no-op for a sink that checks checksums', async () => {
    // A stand-in for the database: content stored by checksum.
    const store = new Map<string, IngestResult>();
    for (const r of first) if (r.status === 'featurised') store.set(r.checksum, r);
    const sizeBefore = store.size;
    const second: IngestResult[] = [];
    for await (const r of ingest(items, {
      image,
      text: model!,
      isKnown: (checksum) => store.has(checksum),
    })) {
      second.push(r);
      if (r.status === 'featurised') store.set(r.checksum, r);
    }
    expect(store.size).toBe(sizeBefore);
    expect(second.filter((r) => r.status === 'featurised')).toHaveLength(0);
    const byKey = Object.fromEntries(second.map((r) => [r.item.key, outcome(r)]));
    for (const [key, want] of Object.entries(expected))
      expect(byKey[key]).toBe(want === 'featurised' ? 'known' : want);
  });

  it('featurises a query exactly like the corpus with the saved text model', async () => {
    const caption = first.find((r) => r.item.key === 'caption');
    const [again] = await model!.featurise(['Two jets taxi past each other at the airport.']);
    expect(caption?.status === 'featurised' && Array.from(caption.features)).toEqual(
      Array.from(again!),
    );
  });

  it('refuses items over the byte limit without reading them', async () => {
    const out: IngestResult[] = [];
    for await (const r of ingest([items[0]!, items[9]!], { image, text: model!, maxBytes: 1000 }))
      out.push(r);
    // The photo is ~40 kB; the caption is 45 bytes.
    expect(out.map(outcome)).toEqual(['TOO_LARGE', 'featurised']);
  });

  it('fails image items clearly when no image featuriser is configured', async () => {
    const out: IngestResult[] = [];
    for await (const r of ingest([items[0]!, items[9]!], { text: model! })) out.push(r);
    expect(out.map(outcome)).toEqual(['FEATURISER_FAILED', 'featurised']);
  });

  it('featurises content once however many keys carry it, and reuses features the sink stored', async () => {
    // The real CNN, counted: how many images reached it.
    let featurisedImages = 0;
    const counted: ImageFeaturiser = {
      id: image.id,
      version: image.version,
      dims: image.dims,
      inputSize: image.inputSize,
      featurise: (images) => {
        featurisedImages += images.length;
        return image.featurise(images);
      },
      dispose: () => undefined,
    };
    const png = fixture('images', 'alpha.png');
    const twice: SourceItem[] = [
      { key: 'one.png', path: png, labels: ['a'] },
      { key: 'two.png', path: png, labels: ['b'] },
    ];
    const out: IngestResult[] = [];
    for await (const r of ingest(twice, { image: counted })) out.push(r);
    expect(featurisedImages).toBe(1);
    expect(out.map((r) => [r.item.key, r.status])).toEqual([
      ['one.png', 'featurised'],
      ['two.png', 'featurised'],
    ]);
    const [a, b] = out.map((r) => (r.status === 'featurised' ? r : null));
    expect(Array.from(b!.features)).toEqual(Array.from(a!.features));
    expect(b!.item.labels).toEqual(['b']);

    // A later run: the sink holds this featuriser's vector for the checksum; the CNN is not run.
    const asked: string[] = [];
    const again: IngestResult[] = [];
    for await (const r of ingest([{ key: 'three.png', path: png, labels: ['c'] }], {
      image: counted,
      storedFeatures: (checksum, _modality, featuriser) => {
        asked.push(`${featuriser.id}@${featuriser.version}`);
        return Promise.resolve(checksum === a!.checksum ? a!.features : null);
      },
    }))
      again.push(r);
    expect(featurisedImages).toBe(1);
    expect(asked).toEqual([`${image.id}@${image.version}`]);
    expect(again[0]?.status === 'featurised' && Array.from(again[0].features)).toEqual(
      Array.from(a!.features),
    );
  });
});
