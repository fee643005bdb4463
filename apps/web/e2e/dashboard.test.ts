/**
 * Browser tests of the dashboard against the real stack: the production build (`next build` +
 * `next start`), the API with its worker on a fresh embedded database, and Debian's Chromium.
 * Sign in → datasets and upload → train a small model and watch it finish → search by a real
 * image → promote a model through the gate → a viewer key sees no admin actions. Screenshots of
 * every page go to test/e2e/screenshots/ (gitignored, CI artifacts); the search timing and the
 * JavaScript per route are printed and written to test/e2e/screenshots/measurements.json.
 * Offline: every browser context refuses requests outside this machine, and a test that made one
 * fails (the dashboard loads no outside fonts or scripts; neither does the API's landing page).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDatasetDocument,
  CreateSiteDocument,
  IngestItemsDocument,
  StartTrainingRunDocument,
  TrainingRunDocument,
  type CreateDatasetMutation,
  type CreateSiteMutation,
  type IngestItemsMutation,
  type StartTrainingRunMutation,
  type TrainingRunQuery,
} from '../src/generated/graphql.ts';
import { CATEGORIES, emojiCorpus, queryImage, SITES, type CorpusItem } from './support/corpus.ts';
import { outsideRequests } from './support/offline.ts';
import { measureRouteJs, PHONE, shot, signedInContext, type RouteJs } from './support/pages.ts';
import { gql, SCREENSHOTS, startStack, type Stack } from './support/stack.ts';

const PER_CLASS = 12;
const TINY_CONFIG = {
  splEpochs: 6,
  rscEpochs: 6,
  batchSize: 16,
  splLearningRate: 0.01,
  rscLearningRate: 0.01,
  embeddingDim: 16,
  hiddenSizes: [64],
  textDimensions: 24,
  seed: 1,
};
/** The same settings as the start-run form's text fields. */
const TINY_RUN = Object.fromEntries(
  Object.entries(TINY_CONFIG).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
);
const TRAINING_TIMEOUT = 300_000;

describe('the dashboard in Chromium', () => {
  let stack: Stack;
  let admin: BrowserContext;
  let page: Page;
  let datasetId = '';
  let firstRunId = '';
  let itemPath = '/search';
  let secondRunId = '';
  const corpus = emojiCorpus(PER_CLASS);
  const measurements: Record<string, unknown> = {};

  beforeAll(async () => {
    stack = await startStack();
    admin = await signedInContext(stack.browser, stack.webUrl, null);
    page = await admin.newPage();
  });

  afterAll(async () => {
    writeFileSync(join(SCREENSHOTS, 'measurements.json'), JSON.stringify(measurements, null, 2));
    await admin?.close();
    await stack?.stop();
  });

  // The requests each test's pages tried to make outside this machine (refused): none.
  afterEach(() => {
    expect(outsideRequests.splice(0), 'requests outside this machine').toEqual([]);
  });

  const api = <T>(query: { toString(): string }, variables: Record<string, unknown>) =>
    gql<T>(stack.apiUrl, stack.adminKey, query.toString(), variables);

  it("opens the API's URL: its own landing page, nothing from outside, a link to the dashboard", async () => {
    const context = await signedInContext(stack.browser, stack.apiUrl, null);
    try {
      const landing = await context.newPage();
      const requested: string[] = [];
      landing.on('request', (request) => requested.push(request.url()));
      const response = await landing.goto('graphql');
      expect(response?.status()).toBe(200);
      await landing.waitForLoadState('networkidle');
      await landing.getByRole('heading', { name: 'Concord API' }).waitFor();
      expect(await landing.locator('pre').textContent()).toContain(
        `curl -s ${stack.apiUrl}graphql`,
      );
      // Not Apollo's Sandbox: no script, stylesheet, image or frame; only the page itself (and
      // the browser's own favicon request) came from the API.
      expect(await landing.locator('script, link, img, iframe').count()).toBe(0);
      const api = new URL(stack.apiUrl).origin;
      expect(requested.filter((url) => new URL(url).origin !== api)).toEqual([]);
      await shot(landing, '00-api-landing');
      // The dashboard it links is the one `npm start` runs beside it.
      await landing.getByRole('link', { name: `${stack.webUrl}/` }).click();
      await landing.waitForURL(/\/sign-in/);
    } finally {
      await context.close();
    }
  });

  it('signs in with the admin key printed by the API', async () => {
    await page.goto('/search');
    await page.waitForURL(/\/sign-in/);
    await page
      .getByLabel('API key')
      .fill('ck_000000000000_not-a-real-key-not-a-real-key-not-a-real');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').textContent())
      .toMatch(/unknown|malformed/i);
    await shot(page, '01-sign-in-error');
    await page.getByLabel('API key').fill(stack.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/search/);
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    await shot(page, '02-search-no-dataset');
  });

  it('seeds a dataset over the API and lists it with counts per site, modality and label', async () => {
    const created = await api<CreateDatasetMutation>(CreateDatasetDocument, {
      input: { name: 'emoji demo', dimension: 16 },
    });
    datasetId = created.createDataset.dataset!.id;
    for (const name of SITES) {
      const site = await api<CreateSiteMutation>(CreateSiteDocument, {
        datasetId,
        input: { name },
      });
      expect(site.createSite.errors).toEqual([]);
    }
    const ingest = async (items: CorpusItem[]) => {
      const result = await api<IngestItemsMutation>(IngestItemsDocument, {
        input: {
          datasetId,
          // The dataset is new: its labels come with its first items.
          createLabels: true,
          items: items.map((item) => ({
            key: item.key,
            site: item.site,
            labels: [item.label],
            split: item.split,
            ...(item.imagePath
              ? { base64: readFileSync(item.imagePath).toString('base64'), modality: 'IMAGE' }
              : { text: item.text, modality: 'TEXT' }),
          })),
        },
      });
      expect(result.ingestItems.errors).toEqual([]);
      expect(result.ingestItems).toMatchObject({ created: items.length, failed: 0 });
    };
    // Hold back two images of the first class: the browser uploads them.
    await ingest(corpus.images.slice(2));
    await ingest(corpus.texts);
    await page.goto('/datasets');
    const row = page.getByTestId('dataset-row').first();
    await row.getByText('Per label').waitFor();
    await expect.poll(() => row.textContent()).toContain('Flags');
    // Counts from the API's aggregate: per site × modality too, with the right numbers.
    const counts = row.getByTestId('dataset-counts');
    await counts.getByText('Per site × modality').waitFor();
    const ingested = [...corpus.images.slice(2), ...corpus.texts];
    expect(await counts.textContent()).toContain(`${ingested.length} items`);
    const textsAt = (site: string) => corpus.texts.filter((i) => i.site === site).length;
    for (const site of SITES) {
      if (textsAt(site) === 0) continue;
      const bar = counts.locator('div.small').filter({ hasText: `${site} · text` });
      expect(await bar.locator('.score').textContent()).toBe(String(textsAt(site)));
    }
    await shot(page, '03-datasets');
  });

  it('uploads images on the dataset page with a per-file result, and browses items', async () => {
    await page.goto(`/datasets/${datasetId}`);
    await page.getByTestId('upload-panel').waitFor();
    const upload = page.getByTestId('upload-panel');
    await upload.getByLabel('Label').fill(corpus.images[0]!.label);
    // With their own split (TEST): uploaded as TRAIN they left class 0 without held-out images,
    // so the models page had no AP bar for it.
    expect(corpus.images[0]!.split).toBe(corpus.images[1]!.split);
    await upload.getByLabel('Split').selectOption(corpus.images[0]!.split);
    await page
      .getByTestId('upload-files')
      .setInputFiles([corpus.images[0]!.imagePath!, corpus.images[1]!.imagePath!]);
    await upload.getByRole('button', { name: /^Upload/ }).click();
    const results = page.getByTestId('upload-results');
    await expect
      .poll(() => results.locator('tbody tr').allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringMatching(/created/), expect.stringMatching(/created/)]);
    // A file that is not an image: refused with a reason, the rest unaffected.
    await page.getByTestId('upload-files').setInputFiles({
      name: 'broken.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not really a png'),
    });
    await upload.getByRole('button', { name: /^Upload/ }).click();
    await expect
      .poll(() => results.locator('tbody tr').first().textContent(), { timeout: 60_000 })
      .toMatch(/failed/);
    await page.getByTestId('item-card').first().waitFor();
    await shot(page, '04-dataset-upload');
  });

  it('starts a short training run from the form and watches it reach completion', async () => {
    await page.goto('/training');
    // The retraining policy (admin): after 1,000 new items, far more than this test adds.
    await page.getByLabel('Retrain').selectOption('THRESHOLD');
    await page.getByLabel('New items').fill('1000');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved.').waitFor();
    const form = page.locator('form').filter({ hasText: 'Start run' });
    await form.locator('input[name=splEpochs]').fill('0');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => form.textContent()).toContain('An integer from 1 to 1000');
    for (const [name, value] of Object.entries(TINY_RUN)) {
      await form.locator(`input[name=${name}]`).fill(value);
    }
    // Learning rates per modality, validated in the form…
    const rates = form.getByTestId('modality-rates');
    await rates.locator('input[name="rscRate:image"]').fill('2');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => rates.textContent()).toContain('between 0 and 1');
    await rates.locator('input[name="rscRate:image"]').fill('0.02');
    await rates.locator('input[name="rscRate:text"]').fill('0.005');
    // …and prior candidates per site × modality with their minimum size (validated), then back.
    await form.locator('select[name=priorCandidates]').selectOption('SITE_MODALITY');
    await form.locator('input[name=minSiteItems]').fill('0');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => form.textContent()).toContain('An integer from 1 to 1000000');
    await shot(page, '05-training-form-site-modality');
    await form.locator('select[name=priorCandidates]').selectOption('MODALITY');
    expect(await form.locator('input[name=minSiteItems]').count()).toBe(0);
    await shot(page, '05-training-form');
    await form.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]+$/);
    firstRunId = page.url().split('/').pop()!;
    // The run carries the per-modality rates the form sent, resolved for the training core.
    const started = await api<{ trainingRun: { config: { resolved: { drcl: unknown } } } }>(
      'query($id: ID!) { trainingRun(id: $id) { config } }',
      { id: firstRunId },
    );
    expect(started.trainingRun.config.resolved.drcl).toMatchObject({
      rscLearningRates: { image: 0.02, text: 0.005 },
      priorCandidates: 'modality',
    });
    const progress = page.getByTestId('run-progress');
    await expect
      .poll(() => progress.getAttribute('data-status'), { timeout: 60_000 })
      .toMatch(/RUNNING|SUCCEEDED/);
    await shot(page, '06-run-live');
    await expect
      .poll(() => progress.getAttribute('data-status'), {
        timeout: TRAINING_TIMEOUT,
        interval: 2000,
      })
      .toBe('SUCCEEDED');
    expect(await progress.textContent()).toContain('100%');
    // Every loss term and the validation loss are charted; the heat map marks the chosen prior.
    await expect.poll(() => page.getByTestId('chart').count()).toBeGreaterThanOrEqual(4);
    expect(
      await page.locator('[data-testid=prior-heatmap] [data-selected]').count(),
    ).toBeGreaterThan(0);
    expect(await page.getByTestId('run-logs').textContent()).toMatch(/prior selected/);
    await shot(page, '07-run-finished');
    // A second run (seed 2) trains while the next tests search: it gives a second model version.
    const second = await api<StartTrainingRunMutation>(StartTrainingRunDocument, {
      datasetId,
      config: { ...TINY_CONFIG, seed: 2 },
    });
    secondRunId = second.startTrainingRun.run!.id;
  });

  it('searches by uploading a real image and shows texts of its class', async () => {
    // Flags: the class whose images the tiny model separates best on every run seen here (the
    // per-class AP on the models page); a fresh image, not in the corpus.
    const label = CATEGORIES[2];
    const image = queryImage(label, corpus.images);
    const started = Date.now();
    await page.goto('/search');
    const picker = page.getByTestId('search-file');
    await picker.waitFor({ state: 'attached' });
    const pageReady = Date.now();
    await picker.setInputFiles(image);
    const cards = page.getByTestId('item-card');
    await cards.first().waitFor();
    const done = Date.now();
    measurements.searchOpenToFirstResultsMs = done - started;
    measurements.searchPageReadyMs = pageReady - started;
    measurements.searchQueryToResultsMs = done - pageReady;
    console.log(
      `search: open → first results ${done - started} ms (page ready ${pageReady - started} ms, image query → results ${done - pageReady} ms)`,
    );
    const labels = await cards.locator('[data-testid=item-labels]').allTextContents();
    const top = labels.slice(0, 10);
    const ofClass = top.filter((l) => l.includes(label)).length;
    // Three balanced classes: chance is a third.
    expect(ofClass / top.length).toBeGreaterThan(0.5);
    expect(await cards.first().getAttribute('data-modality')).toBe('TEXT');
    await shot(page, '08-search-results');

    // Use a result as the next query, then page.
    await cards.first().getByRole('button', { name: 'Use as query' }).click();
    await page.waitForURL(/item=/);
    await cards.first().waitFor();
    await shot(page, '09-search-by-item');
    const phone = await signedInContext(stack.browser, stack.webUrl, stack.adminKey, PHONE);
    const small = await phone.newPage();
    await small.goto('/search');
    await small.getByTestId('search-file').setInputFiles(image);
    await small.getByTestId('item-card').first().waitFor();
    await shot(small, '10-search-phone');
    await small.goto(`/training/${firstRunId}`);
    await small.getByTestId('prior-heatmap').waitFor();
    await shot(small, '11-run-phone');
    await phone.close();
  });

  it('opens an item', async () => {
    await page.goto(`/datasets/${datasetId}`);
    await page.getByTestId('item-card').first().getByRole('link').click();
    await page.waitForURL(/\/items\//);
    itemPath = new URL(page.url()).pathname;
    await page.getByRole('link', { name: 'Use as query' }).waitFor();
    // A model is active since the run above: the item shows it is searchable, and its lineage.
    expect(await page.getByTestId('item-embedded').textContent()).toMatch(/^yes/);
    const lineage = page.getByTestId('item-lineage');
    expect(await lineage.getByText(/^model v\d+$/).count()).toBeGreaterThan(0);
    await shot(page, '12-item');
  });

  it('promotes a model through the evaluation gate and compares two runs', async () => {
    const runId = secondRunId;
    await expect
      .poll(
        async () =>
          (await api<TrainingRunQuery>(TrainingRunDocument, { id: runId })).trainingRun?.status,
        { timeout: TRAINING_TIMEOUT, interval: 2000 },
      )
      .toBe('SUCCEEDED');
    await page.goto('/models');
    await page.getByTestId('models').waitFor();
    await page.getByTestId('active-marker').waitFor();
    // AP per class: every class is a labelled row with its bars, Animals & Nature (class 0) too.
    const perClass = page.locator('figure[data-title="AP per class"]');
    await perClass.locator('.recharts-bar-rectangle').first().waitFor();
    // (Long names wrap into several tspans: compare without whitespace.)
    const squash = (text: string) => text.replace(/\s+/g, '');
    const ticks = (
      await perClass.locator('.recharts-cartesian-axis-tick-value').allTextContents()
    ).map(squash);
    for (const label of CATEGORIES) expect(ticks).toContain(squash(label));
    // …and the active model has an AP above zero for every class in every direction.
    const models = await api<{
      models: {
        edges: {
          node: {
            status: string;
            evaluation: {
              directions: {
                query: string;
                target: string;
                perClass: { label: { index: number }; map: number }[];
              }[];
            };
          };
        }[];
      };
    }>(
      `query($id: ID!) { models(datasetId: $id) { edges { node { status
         evaluation { directions { query target perClass { label { index } map } } } } } } }`,
      { id: datasetId },
    );
    const active = models.models.edges.find((e) => e.node.status === 'ACTIVE')!.node;
    const aps = active.evaluation.directions.flatMap((d) =>
      [...CATEGORIES.keys()].map((c) => ({
        name: `${d.query}→${d.target}`,
        c,
        ap: d.perClass.find((p) => p.label.index === c)?.map ?? 0,
      })),
    );
    expect(aps.filter((a) => !(a.ap > 0))).toEqual([]);
    await shot(page, '13-models');
    // Promote whichever version is not active; when the gate refuses, force it.
    const candidate = page.locator('[data-testid^=model-v]').filter({
      has: page.getByRole('button', { name: 'Promote' }),
    });
    const version = (await candidate.first().getAttribute('data-testid'))!;
    await candidate.first().getByRole('button', { name: 'Promote' }).click();
    const gate = page.getByTestId('gate-result');
    await gate.waitFor();
    if (/refused/i.test((await gate.textContent()) ?? '')) {
      await shot(page, '14-models-gate-refused');
      await page.getByTestId(version).getByRole('button', { name: 'Force' }).click();
      await expect.poll(() => gate.textContent()).toMatch(/forced/);
    }
    await expect.poll(() => gate.textContent()).toMatch(/is active/);
    await page.getByTestId(version).getByTestId('active-marker').waitFor();
    // The promoted model's gate verdict is shown with its figures, and its P@10/R@10.
    await expect
      .poll(() => page.getByTestId('model-gate').textContent())
      .toMatch(/Promotion gate: (passed|not judged|forced)/);
    await page.getByTestId('model-at-ten').waitFor();
    await shot(page, '15-models-promoted');

    await page.goto('/training');
    const boxes = page.getByTestId('run-history').getByRole('checkbox');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('link', { name: 'Compare the two selected' }).click();
    await page.waitForURL(/compare/);
    await expect.poll(() => page.getByTestId('prior-heatmap').count()).toBe(2);
    await shot(page, '16-compare-runs');
  });

  it('lets an admin create a viewer key that sees no admin or editor actions', async () => {
    await page.goto('/keys');
    await page.getByLabel('Label').fill('read-only dashboard');
    await page.getByLabel('Role').selectOption('VIEWER');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-value').textContent())!;
    expect(secret).toMatch(/^ck_/);
    await shot(page, '17-api-keys');

    const viewer = await signedInContext(stack.browser, stack.webUrl, null);
    const v = await viewer.newPage();
    await v.goto('/sign-in');
    await v.getByLabel('API key').fill(secret);
    await v.getByRole('button', { name: 'Sign in' }).click();
    await v.waitForURL(/\/search/);
    expect(await v.getByTestId('role').textContent()).toBe('viewer');
    expect(await v.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await v.goto('/training');
    await v.getByTestId('run-history').waitFor();
    expect(await v.getByText('Start a training run').count()).toBe(0);
    expect(await v.getByText('Retraining policy').count()).toBe(0);
    await shot(v, '18-viewer-training');
    await v.goto('/models');
    await v.getByTestId('models').waitFor();
    expect(await v.getByRole('button', { name: 'Promote' }).count()).toBe(0);
    expect(await v.getByRole('button', { name: /Roll back/ }).count()).toBe(0);
    await shot(v, '19-viewer-models');
    await v.goto(`/datasets/${datasetId}`);
    await v.getByTestId('item-card').first().waitFor();
    expect(await v.getByTestId('upload-panel').count()).toBe(0);
    await v.goto('/keys');
    await v.getByText('Admins only').waitFor();
    await viewer.close();
  });

  it('lays every page out for a phone (390×844) without sideways scrolling', async () => {
    const phone = await signedInContext(stack.browser, stack.webUrl, stack.adminKey, PHONE);
    const small = await phone.newPage();
    const pages: [string, string, string][] = [
      ['20-phone-datasets', '/datasets', 'dataset-counts'],
      ['21-phone-dataset', `/datasets/${datasetId}`, 'item-card'],
      ['22-phone-item', itemPath, 'item-title'],
      ['23-phone-training', '/training', 'run-history'],
      ['24-phone-compare', `/training/compare?a=${firstRunId}&b=${secondRunId}`, 'prior-heatmap'],
      ['25-phone-models', '/models', 'models'],
      ['26-phone-keys', '/keys', 'api-keys'],
    ];
    const overflow: string[] = [];
    for (const [name, path, testId] of pages) {
      await small.goto(path);
      await small.getByTestId(testId).first().waitFor({ state: 'attached' });
      await small.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
      await shot(small, name);
      const width = await small.evaluate(() => document.documentElement.scrollWidth);
      if (width > PHONE.width) overflow.push(`${path}: ${width}px`);
    }
    await phone.close();
    expect(overflow).toEqual([]);
  });

  it('measures the JavaScript each route loads from the production build', async () => {
    const routes: [string, string][] = [
      ['/sign-in', '/sign-in'],
      ['/search', '/search'],
      ['/datasets', '/datasets'],
      ['/datasets/[id]', `/datasets/${datasetId}`],
      ['/items/[id]', itemPath],
      ['/training', '/training'],
      ['/training/[id]', `/training/${firstRunId}`],
      ['/training/compare', `/training/compare?a=${firstRunId}&b=${firstRunId}`],
      ['/models', '/models'],
      ['/keys', '/keys'],
    ];
    const sizes: RouteJs[] = [];
    for (const [route, path] of routes) {
      sizes.push(await measureRouteJs(stack.browser, stack.webUrl, stack.adminKey, route, path));
    }
    measurements.routeJs = sizes;
    console.table(
      sizes.map((s) => ({
        route: s.route,
        files: s.files,
        'raw KiB': (s.rawBytes / 1024).toFixed(1),
        'gzip KiB': (s.gzipBytes / 1024).toFixed(1),
        'total files': s.totalFiles,
        'total gzip KiB': (s.totalGzipBytes / 1024).toFixed(1),
      })),
    );
    for (const s of sizes) expect(s.files).toBeGreaterThan(0);
  });

  it("shows a dataset whose text features are imported from a team's own encoder", async () => {
    const created = await api<{
      createDataset: { dataset: { id: string } | null; errors: { message: string }[] };
    }>(
      `mutation($input: CreateDatasetInput!) {
        createDataset(input: $input) { dataset { id } errors { message } }
      }`,
      {
        input: {
          name: 'imported vectors',
          dimension: 8,
          importedFeatures: [{ modality: 'TEXT', name: 'team-encoder', dimension: 4 }],
        },
      },
    );
    expect(created.createDataset.errors).toEqual([]);
    const id = created.createDataset.dataset!.id;
    await api(
      `mutation($id: ID!) { createSite(datasetId: $id, input: { name: "hq" }) { errors { message } } }`,
      { id },
    );
    const ingested = await api<{ ingestItems: { created: number } }>(
      `mutation($input: IngestItemsInput!) { ingestItems(input: $input) { created } }`,
      {
        input: {
          datasetId: id,
          createLabels: true,
          items: [
            { site: 'hq', labels: ['a'], modality: 'TEXT', vector: [0.1, 0.2, 0.3, 0.4] },
            { site: 'hq', labels: ['b'], modality: 'TEXT', vector: [0.4, 0.3, 0.2, 0.1] },
          ],
        },
      },
    );
    expect(ingested.ingestItems.created).toBe(2);
    await page.goto(`/datasets/${id}`);
    await expect
      .poll(() => page.getByTestId('imported-features').textContent(), { timeout: 30_000 })
      .toMatch(/text features are imported vectors vectors\/team-encoder \(4-d\)/);
    await shot(page, '27-dataset-imported-vectors');
  });
});
