/**
 * Absurd vectors and configs, and abusive query shapes: D = 0, negative epochs, learning rates
 * NaN/Infinity (as JSON and GraphQL can carry them), a batch larger than the dataset, wrong
 * vector dimensions, NaN and out-of-range components, huge `first`; deeply nested, very wide and
 * aliased queries, fragment cycles, deep introspection and batching. Typed errors, server alive,
 * nothing written.
 */
import { expect, it } from 'vitest';
import { waitFor } from '../support/app.ts';
import { diff, outcomeOf, problems, record, type InputCtx } from '../support/checks.ts';
import { FIXTURE_DIMENSION } from '../support/fixture.ts';

const START = `mutation($id: ID!, $config: TrainingConfigInput) {
  startTrainingRun(datasetId: $id, config: $config) { run { id status } errors { code message field } }
}`;
const SEARCH = `query($id: ID!, $vector: [Float!], $first: Int) {
  search(datasetId: $id, query: { vector: $vector }, first: $first, mode: EXACT) { edges { node { score } } }
}`;

export function absurdTests(ctx: InputCtx): void {
  /** Sends `body` raw (JSON GraphQL can't express NaN; the raw body can try). */
  const raw = (body: string) =>
    ctx.t.post(body, {
      'content-type': 'application/json',
      authorization: `Bearer ${ctx.t.adminKey}`,
    });

  it('absurd training configs and dataset dimensions: BAD_USER_INPUT, nothing queued or written', async () => {
    const { t, f } = ctx;
    const before = await t.snapshot();
    const failures: string[] = [];
    const configs: Record<string, unknown>[] = [
      { splEpochs: -1 },
      { splEpochs: 0 },
      { rscEpochs: -100 },
      { splEpochs: 1_000_000 },
      { embeddingDim: 0 },
      { embeddingDim: -8 },
      { embeddingDim: 1_000_000 },
      { hiddenSizes: [0] },
      { hiddenSizes: [-5, 10] },
      { hiddenSizes: [8192, 8192, 8192, 8192, 8192] },
      { batchSize: 0 },
      { batchSize: -1 },
      { splLearningRate: 0 },
      { splLearningRate: -0.1 },
      { rscLearningRate: 1.5 },
      { splLearningRate: 1e308 },
      { textDimensions: 0 },
      { priorSelection: '' },
    ];
    for (const config of configs) {
      const r = await t.gql(START, { id: f.datasetId, config });
      const outcome = outcomeOf(r, 'startTrainingRun');
      record(ctx, 'absurd config', outcome);
      failures.push(...problems(r, JSON.stringify(config)));
      if (!['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST'].includes(outcome))
        failures.push(`${JSON.stringify(config)}: ${outcome}`);
    }
    // NaN and Infinity: JSON has neither (NaN is not JSON; 1e999 parses to Infinity), a GraphQL
    // literal can spell an infinite float.
    for (const [label, body] of [
      [
        'NaN in JSON',
        `{"query":${JSON.stringify(START)},"variables":{"id":"${f.datasetId}","config":{"splLearningRate":NaN}}}`,
      ],
      [
        'Infinity in JSON',
        `{"query":${JSON.stringify(START)},"variables":{"id":"${f.datasetId}","config":{"splLearningRate":1e999}}}`,
      ],
      [
        '-Infinity in JSON',
        `{"query":${JSON.stringify(START)},"variables":{"id":"${f.datasetId}","config":{"rscLearningRate":-1e999}}}`,
      ],
      [
        'Infinity literal',
        JSON.stringify({
          query: `mutation { startTrainingRun(datasetId: "${f.datasetId}", config: { splLearningRate: 1e999 }) { errors { code } } }`,
        }),
      ],
      [
        'epochs beyond Int',
        JSON.stringify({
          query: START,
          variables: { id: f.datasetId, config: { splEpochs: 2 ** 31 } },
        }),
      ],
    ] as const) {
      const r = await raw(body);
      failures.push(...problems(r, label));
      const answer = r.json as {
        errors?: { extensions?: { code?: string } }[];
        data?: { startTrainingRun?: { errors: { code: string }[] } };
      };
      const code =
        answer?.errors?.[0]?.extensions?.code ?? answer?.data?.startTrainingRun?.errors[0]?.code;
      record(ctx, 'absurd config', code ?? 'ok');
      if (!code) failures.push(`${label}: accepted (${r.text.slice(0, 200)})`);
    }
    for (const dimension of [0, 1, -1, 4001, 2 ** 31 - 1]) {
      const r = await t.gql(
        `mutation($d: Int) { createDataset(input: { name: "absurd", dimension: $d }) { errors { code } } }`,
        { d: dimension },
      );
      record(ctx, 'absurd config', outcomeOf(r, 'createDataset'));
      if (outcomeOf(r, 'createDataset') !== 'BAD_USER_INPUT')
        failures.push(`dimension ${dimension}: ${outcomeOf(r, 'createDataset')}`);
    }
    expect(failures).toEqual([]);
    const after = await t.snapshot();
    expect(diff(before, after)).toBe('');
  });

  it('absurd search vectors and page sizes: typed errors', async () => {
    const { t, f } = ctx;
    const failures: string[] = [];
    const unit = Array.from({ length: FIXTURE_DIMENSION }, (_, i) => (i === 0 ? 1 : 0));
    const cases: [string, unknown[] | null, number | null, string[]][] = [
      ['empty vector', [], 5, ['BAD_USER_INPUT']],
      ['one short', unit.slice(1), 5, ['BAD_USER_INPUT']],
      ['one long', [...unit, 0], 5, ['BAD_USER_INPUT']],
      ['100,000 components', new Array<number>(100_000).fill(0.1), 5, ['BAD_USER_INPUT']],
      ['all zeros', unit.map(() => 0), 5, ['BAD_USER_INPUT']],
      ['beyond float32', unit.map(() => 1e39), 5, ['BAD_USER_INPUT']],
      // Directions whose float32 sum of squares underflows or overflows still rank (NaN before).
      ['tiny', unit.map(() => 1e-45), 5, ['ok']],
      ['huge', unit.map(() => 3e38), 5, ['ok']],
      ['first 0', unit, 0, ['BAD_USER_INPUT']],
      ['first -1', unit, -1, ['BAD_USER_INPUT']],
      ['first 2^31-1', unit, 2 ** 31 - 1, ['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']],
      ['first 2^31', unit, 2 ** 31, ['BAD_USER_INPUT']],
    ];
    for (const [label, vector, first, expected] of cases) {
      const r = await t.gql(SEARCH, { id: f.datasetId, vector, first });
      failures.push(...problems(r, label));
      const outcome = outcomeOf(r);
      record(ctx, 'absurd vector', outcome);
      if (!expected.includes(outcome))
        failures.push(`${label}: ${outcome} ${r.text.slice(0, 200)}`);
    }
    for (const [label, body] of [
      [
        'NaN component',
        `{"query":${JSON.stringify(SEARCH)},"variables":{"id":"${f.datasetId}","vector":[NaN,0,0,0,0,0,0,1]}}`,
      ],
      [
        'Infinity component',
        `{"query":${JSON.stringify(SEARCH)},"variables":{"id":"${f.datasetId}","vector":[1e999,0,0,0,0,0,0,1]}}`,
      ],
      [
        'string component',
        `{"query":${JSON.stringify(SEARCH)},"variables":{"id":"${f.datasetId}","vector":["1",0,0,0,0,0,0,1]}}`,
      ],
    ] as const) {
      const r = await raw(body);
      failures.push(...problems(r, label));
      const code = (r.json as { errors?: { extensions?: { code?: string } }[] })?.errors?.[0]
        ?.extensions?.code;
      record(ctx, 'absurd vector', code ?? 'ok');
      if (!code) failures.push(`${label}: accepted ${r.text.slice(0, 200)}`);
    }
    for (const first of [0, -5, 1001, 2 ** 31 - 1]) {
      const r = await t.gql(`query($f: Int) { datasets(first: $f) { totalCount } }`, { f: first });
      record(ctx, 'absurd page', outcomeOf(r));
      if (outcomeOf(r) !== 'BAD_USER_INPUT')
        failures.push(`datasets(first: ${first}): ${outcomeOf(r)}`);
    }
    expect(failures).toEqual([]);
  });

  it('a batch larger than the dataset trains (or fails with a reason), never hangs', async () => {
    const { t, f } = ctx;
    // Without the fixture's webhook: its deliveries of run.finished would be retried in the
    // background while later suites compare table snapshots.
    await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) { errors { code } } }`, {
      id: f.webhookId,
    });
    const r = await t.gql<{ startTrainingRun: { run: { id: string } | null } }>(START, {
      id: f.datasetId,
      config: { batchSize: 8192, splEpochs: 1, rscEpochs: 1, hiddenSizes: [8], textDimensions: 8 },
    });
    expect(problems(r, 'big batch')).toEqual([]);
    const runId = r.data.startTrainingRun.run?.id;
    expect(runId, r.text).toBeTruthy();
    const run = await waitFor(
      async () => {
        const q = await t.gql<{ trainingRun: { status: string; error: string | null } }>(
          `query($id: ID!) { trainingRun(id: $id) { status error } }`,
          { id: runId },
        );
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(q.data.trainingRun.status)
          ? q.data.trainingRun
          : undefined;
      },
      180_000,
      'the big-batch run',
    );
    record(
      ctx,
      'absurd config',
      `batch>dataset: ${run.status}${run.error ? ` (${run.error.slice(0, 120)})` : ''}`,
    );
    if (run.status === 'FAILED') expect(run.error).toBeTruthy();
    else expect(run.status).toBe('SUCCEEDED');
  });

  it('deep, wide, aliased, cyclic and batched queries: refused with a code, server alive', async () => {
    const { t, f } = ctx;
    const failures: string[] = [];
    const expectCode = async (label: string, body: string, codes: string[], maxMs = 30_000) => {
      const started = Date.now();
      const r = await raw(body);
      const ms = Date.now() - started;
      failures.push(...problems(r, label));
      const answer = r.json as { errors?: { extensions?: { code?: string } }[] } | null;
      const code =
        answer?.errors?.[0]?.extensions?.code ?? (r.status < 300 ? 'ok' : `HTTP ${r.status}`);
      record(ctx, 'query shape', code);
      if (!codes.includes(code))
        failures.push(`${label}: ${code} (HTTP ${r.status}) ${r.text.slice(0, 200)}`);
      if (ms > maxMs) failures.push(`${label}: took ${ms} ms`);
    };
    const q = (query: string) => JSON.stringify({ query });
    const nest = (n: number) =>
      `{ dataset(id: "${f.datasetId}") ${'{ activeModel { dataset '.repeat(n)}{ id }${' } }'.repeat(n)} }`;
    await expectCode('nested 6 levels', q(nest(6)), ['QUERY_TOO_COMPLEX']);
    await expectCode('nested 2,000 levels', q(nest(2000)), [
      'QUERY_TOO_COMPLEX',
      'GRAPHQL_PARSE_FAILED',
      'BAD_REQUEST',
    ]);
    await expectCode(
      'selection 20,000 deep',
      q(`{ ${'health { '.repeat(20_000)}ok${' }'.repeat(20_000)} }`),
      [
        'QUERY_TOO_COMPLEX',
        'GRAPHQL_PARSE_FAILED',
        'GRAPHQL_VALIDATION_FAILED',
        'BAD_REQUEST',
        'BAD_USER_INPUT',
      ],
    );
    await expectCode('10,000 fields wide', q(`{ health { ${'ok '.repeat(10_000)} } }`), [
      'ok',
      'QUERY_TOO_COMPLEX',
      'GRAPHQL_VALIDATION_FAILED', // graphql-js stops validating after 100 errors
    ]);
    await expectCode(
      '1,000 aliased searches',
      q(
        `{ ${Array.from(
          { length: 1000 },
          (_, i) =>
            `a${i}: search(datasetId: "${f.datasetId}", query: { itemId: "${f.textItemId}" }, first: 100) { edges { node { score item { id snippet } } } }`,
        ).join(' ')} }`,
      ),
      ['QUERY_TOO_COMPLEX'],
    );
    await expectCode(
      '1,000 aliased dataset lists',
      q(
        `{ ${Array.from({ length: 1000 }, (_, i) => `d${i}: datasets(first: 100) { totalCount }`).join(' ')} }`,
      ),
      ['QUERY_TOO_COMPLEX'],
    );
    await expectCode(
      'fragment cycle',
      q(`query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`),
      ['GRAPHQL_VALIDATION_FAILED'],
    );
    await expectCode(
      'deep introspection (fields → type → fields … 10 times)',
      q(`{ __schema { types { ${'fields { type { '.repeat(10)}name${' } }'.repeat(10)} } } }`),
      ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
    );
    await expectCode(
      'batch of 1,000 operations',
      JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ health { ok } }' }))),
      ['BAD_REQUEST', 'HTTP 400'],
    );
    await expectCode(
      'JSON body over MAX_REQUEST_BYTES',
      JSON.stringify({ query: '{ health { ok } }', variables: { pad: 'x'.repeat(1_200_000) } }),
      ['PAYLOAD_TOO_LARGE'],
    );
    await expectCode('not JSON', '{"query": "{ health { ok } }"', ['BAD_USER_INPUT']);
    await expectCode('no query', '{}', ['BAD_REQUEST']);
    await expectCode('query not a string', '{"query": {"a": 1}}', ['BAD_REQUEST']);
    await expectCode(
      'variables not an object',
      '{"query": "{ health { ok } }", "variables": [1]}',
      ['BAD_REQUEST'],
    );
    await expectCode(
      'operationName missing among many',
      q('query A { health { ok } } query B { health { ok } }'),
      ['BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'GRAPHQL_VALIDATION_FAILED'],
    );
    expect(failures).toEqual([]);
    expect(await t.alive()).toBe(true);
  });
}
