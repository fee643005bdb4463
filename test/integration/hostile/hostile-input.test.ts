/**
 * Hostile input over HTTP against the real server, on both database modes: injection strings in
 * every text argument, malformed/huge/type-lying uploads, absurd vectors and configs, abusive
 * query shapes, a seeded fuzzing run over the schema's inputs — then the logs are searched for
 * secrets and content. One fixture (a tiny trained model) per mode is shared by the suites.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { startHostileApp } from './support/app.ts';
import type { InputCtx } from './support/checks.ts';
import { seedFixture } from './support/fixture.ts';
import { introspect, rootFields } from './support/schema.ts';
import { absurdTests } from './suites/absurd.ts';
import { fuzzTests } from './suites/fuzz.ts';
import { injectionTests } from './suites/injection.ts';
import { secretsTests } from './suites/secrets.ts';
import { uploadTests } from './suites/uploads.ts';

describe.each(TEST_DATABASE_MODES)('hostile input ($name)', (mode) => {
  const ctx = { tally: {} } as InputCtx;

  beforeAll(async () => {
    ctx.t = await startHostileApp(mode, { RUN_WORKER: 'true' });
    ctx.f = await seedFixture(ctx.t);
    ctx.schema = await introspect(ctx.t);
    ctx.fields = rootFields(ctx.schema);
  });
  afterAll(async () => {
    console.log(`hostile input (${mode.name}): ${JSON.stringify(ctx.tally)}`);
    await ctx.t?.close();
  });

  // Absurd inputs first: the big-batch run needs the fixture's few labels (C ≤ D), before the
  // injection strings add labels of their own.
  absurdTests(ctx);
  injectionTests(ctx);
  uploadTests(ctx);
  fuzzTests(ctx);
  secretsTests(ctx);
});
