/**
 * An API process killed with SIGKILL mid-upload (a multipart ingestion whose files are still
 * arriving) and mid-ingestion (a JSON batch being featurised and written item by item). The
 * client retries the same request with the same idempotency key against a new API process:
 * every item exists exactly once afterwards, whatever the dead process had written. Ingestion
 * runs inside the API request (there is no bulk ingestion job), so this is also the test of a
 * process dying in the middle of an ingestion batch.
 */
import { request } from 'node:http';
import { createServerDatabase } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusItems, type IngestItem } from '../scale-out/support/corpus.ts';
import { gql, INGEST, waitFor } from '../scale-out/support/graphql.ts';
import { spawnConcord, type ConcordProcess } from '../scale-out/support/processes.ts';
import { checkInvariants, connect, sql } from './support/checks.ts';
import { createDataset, type Api } from './support/scenario.ts';

interface IngestData {
  ingestItems: { created: number; duplicates: number; failed: number };
}

describe('an API process killed with SIGKILL', () => {
  let database: { url: string; drop(): Promise<void> };
  const processes: ConcordProcess[] = [];
  let key: string;

  beforeAll(async () => {
    database = await createServerDatabase();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await database?.drop();
  });

  async function api(name: string): Promise<{ process: ConcordProcess; api: Api }> {
    const p = await spawnConcord({ name, role: 'api', databaseUrl: database.url });
    processes.push(p);
    key ??= p.adminKey!;
    return { process: p, api: { url: p.url!, key } };
  }

  const itemCount = async (datasetId: string) =>
    (
      await sql<{ n: number }>(
        database.url,
        'SELECT count(*)::int AS n FROM item WHERE dataset_id = $1',
        [datasetId],
      )
    )[0]!.n;

  it('mid-upload: the retried upload creates every item exactly once', async () => {
    const first = await api('upload-api-1');
    const datasetId = await createDataset(first.api, 'killed-mid-upload');
    const { images } = corpusItems(8);
    const upload = multipartIngest(datasetId, 'upload-batch-1', images);

    // Send the operations, the map and a third of the files, then kill the API.
    const sent = startUpload(first.api, upload);
    await sent.wrote(Math.floor(upload.body.length / 3));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await first.process.kill('SIGKILL');
    await expect(sent.response).rejects.toThrow();
    const written = await itemCount(datasetId);
    console.log(`API killed mid-upload: ${written} of ${images.length} items written`);

    const second = await api('upload-api-2');
    const retried = await finishUpload(second.api, upload);
    expect(retried.errors).toBeUndefined();
    expect(retried.data.ingestItems.failed).toBe(0);
    expect(retried.data.ingestItems.created + retried.data.ingestItems.duplicates).toBe(
      images.length,
    );
    // The same key again: the recorded outcome, nothing written.
    const again = await finishUpload(second.api, upload);
    expect(again.data).toEqual(retried.data);
    await checkInvariants(database.url, { datasetId, items: images.length });
  }, 300_000);

  it('mid-ingestion: the retried batch creates every item exactly once', async () => {
    const first = await api('ingest-api-1');
    const datasetId = await createDataset(first.api, 'killed-mid-ingestion');
    const { images, texts } = corpusItems(8);
    const items = [...images, ...texts];
    const input = { datasetId, createLabels: true, idempotencyKey: 'ingest-batch-1', items };
    const call = gql<IngestData>(first.api.url, first.api.key, INGEST, { input });
    call.catch(() => undefined);

    const db = await connect(database.url);
    try {
      await waitFor(
        async () => {
          const [row] = await db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM item WHERE dataset_id = $1',
            [datasetId],
          );
          return row && row.n >= 2 ? true : undefined;
        },
        120_000,
        'the first items to be written',
        20,
      );
    } finally {
      await db.close();
    }
    await first.process.kill('SIGKILL');
    await expect(call).rejects.toThrow();
    const written = await itemCount(datasetId);
    console.log(`API killed mid-ingestion: ${written} of ${items.length} items written`);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(items.length);

    const second = await api('ingest-api-2');
    const retried = await gql<IngestData>(second.api.url, key, INGEST, { input });
    expect(retried.errors).toBeUndefined();
    expect(retried.data.ingestItems).toMatchObject({
      created: items.length - written,
      duplicates: written,
      failed: 0,
    });
    await checkInvariants(database.url, { datasetId, items: items.length });
  }, 300_000);
});

interface Multipart {
  boundary: string;
  body: Buffer;
}

/** `ingestItems` as a multipart request (GraphQL multipart spec), every image a file part. */
function multipartIngest(
  datasetId: string,
  idempotencyKey: string,
  images: IngestItem[],
): Multipart {
  const boundary = `concord-${Date.now()}`;
  const operations = {
    query: INGEST,
    variables: {
      input: {
        datasetId,
        createLabels: true,
        idempotencyKey,
        items: images.map(({ base64: _b, ...item }) => ({ ...item, file: null })),
      },
    },
  };
  const map = Object.fromEntries(
    images.map((_, i) => [String(i), [`variables.input.items.${i}.file`]]),
  );
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  field('operations', JSON.stringify(operations));
  field('map', JSON.stringify(map));
  images.forEach((image, i) => {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${i}"; filename="${image.key}.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      Buffer.from(image.base64!, 'base64'),
      Buffer.from('\r\n'),
    );
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(parts) };
}

function openUpload(api: Api, upload: Multipart) {
  let resolveBody!: (value: { status: number; text: string }) => void;
  let rejectBody!: (error: Error) => void;
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    resolveBody = resolve;
    rejectBody = reject;
  });
  const req = request(api.url, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': `multipart/form-data; boundary=${upload.boundary}`,
      'content-length': upload.body.length,
      'apollo-require-preflight': 'true',
      authorization: `Bearer ${api.key}`,
    },
  });
  req.on('response', (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () =>
      resolveBody({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
    );
    res.on('error', rejectBody);
  });
  req.on('error', rejectBody);
  return { req, response };
}

/** Writes the first `bytes` of the body and leaves the request open. */
function startUpload(api: Api, upload: Multipart) {
  const { req, response } = openUpload(api, upload);
  response.catch(() => undefined);
  return {
    response,
    wrote: (bytes: number) =>
      new Promise<void>((resolve) => req.write(upload.body.subarray(0, bytes), () => resolve())),
  };
}

async function finishUpload(api: Api, upload: Multipart) {
  const { req, response } = openUpload(api, upload);
  req.end(upload.body);
  const { text } = await response;
  return JSON.parse(text) as { data: IngestData; errors?: unknown[] };
}
