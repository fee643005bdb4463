/**
 * A seeded, bounded fuzzing run over the GraphQL inputs: fast-check builds argument values from
 * the running server's input types (strings from full Unicode plus injection strings, ids that
 * are real, random or junk, integers at the edges, nested input objects and lists, JSON), calls
 * a root field chosen from the schema, and asserts: no 5xx, no untyped error, no internal error
 * (and none without a request id), the server alive, and a refused mutation wrote nothing.
 *
 * fast-check because its arbitraries compose from the schema's types directly, a seed makes the
 * run identical on every machine, `numRuns` bounds it, and a failure is shrunk to a minimal input
 * before it is reported. It was already in the lockfile (a transitive dependency).
 */
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { expect, it } from 'vitest';
import { diff, problems, record, refused, type InputCtx } from '../support/checks.ts';
import { operationFor, type RootField } from '../support/schema.ts';
import { INJECTIONS } from './injection.ts';

export const FUZZ_SEED = 20_261_128;
export const FUZZ_RUNS = 150;

export function fuzzTests(ctx: InputCtx): void {
  it(`fuzzes every root field's arguments (seed ${FUZZ_SEED}, ${FUZZ_RUNS} calls)`, async () => {
    const { t, f } = ctx;
    const ids = [
      f.datasetId,
      f.otherDatasetId,
      f.siteId,
      f.labelId,
      f.textItemId,
      f.imageItemId,
      f.modelId,
      f.runId,
      f.webhookId,
      f.spareKeyId,
    ];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(...Object.values(INJECTIONS).filter((s) => s.length < 1000)),
      fc.constantFrom(
        f.siteName,
        'north',
        'south',
        'Flags',
        'run.finished',
        'http://127.0.0.1:9/x',
      ),
    );
    const id = fc.oneof(fc.constantFrom(...ids), fc.uuid(), text);
    const arbitraryFor = (type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> => {
      if (isNonNullType(type)) return arbitraryFor(type.ofType, depth);
      if (isListType(type)) return fc.array(arbitraryFor(type.ofType, depth + 1), { maxLength: 3 });
      const named = getNamedType(type);
      if (isEnumType(named)) return fc.constantFrom(...named.getValues().map((v) => v.name));
      if (isInputObjectType(named)) {
        const fields = Object.values(named.getFields()).filter(
          (x) => getNamedType(x.type).name !== 'Upload',
        );
        if (depth > 3) return fc.constant({});
        return fc.record(
          Object.fromEntries(fields.map((x) => [x.name, arbitraryFor(x.type, depth + 1)])),
          { requiredKeys: fields.filter((x) => isNonNullType(x.type)).map((x) => x.name) },
        );
      }
      switch (named.name) {
        case 'ID':
          return id;
        case 'String':
          return text;
        case 'Int':
          return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2, 8, 2 ** 31 - 1, -(2 ** 31)));
        case 'Float':
          return fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.constantFrom(0, -0, 1e-300, 1e300, 0.5),
          );
        case 'Boolean':
          return fc.boolean();
        case 'JSON':
          return fc.jsonValue({ maxDepth: 2 });
        default:
          return fc.constant(null); // Upload: exercised by the upload tests
      }
    };
    const fields = ctx.fields.filter((r) => r.operation !== 'Subscription');
    const call = fc.constantFrom(...fields).chain((root: RootField) =>
      fc
        .record(Object.fromEntries(root.field.args.map((a) => [a.name, arbitraryFor(a.type, 0)])), {
          requiredKeys: root.field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name),
        })
        .map((args) => ({ root, args: args })),
    );
    let last = await t.snapshot();
    await fc.assert(
      fc.asyncProperty(call, async ({ root, args }) => {
        const r = await t.gql(operationFor(root, Object.keys(args)), args);
        record(
          ctx,
          'fuzz',
          r.errors?.[0]?.extensions?.code ?? (r.status < 300 ? 'ok' : `HTTP ${r.status}`),
        );
        const found = problems(r, `${root.name}(${JSON.stringify(args).slice(0, 300)})`);
        if (root.operation === 'Mutation') {
          // A bulk ingestion the fuzzer managed to start writes from its job: let it finish.
          if (root.field.name === 'startBulkIngestion') await t.settle();
          const after = await t.snapshot();
          if (refused(r, root.field.name) && JSON.stringify(after) !== JSON.stringify(last))
            found.push(`${root.name}: refused but wrote ${diff(last, after)}`);
          last = after;
          // A run the fuzzer managed to queue is cancelled at once (it would train for minutes).
          const run = (r.data?.startTrainingRun as { run?: { id: string } | null } | undefined)
            ?.run;
          if (run) {
            await t.gql(`mutation($id: ID!) { cancelTrainingRun(id: $id) { errors { code } } }`, {
              id: run.id,
            });
            last = await t.snapshot();
          }
        }
        expect(found).toEqual([]);
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    expect(await t.alive()).toBe(true);
  });
}
