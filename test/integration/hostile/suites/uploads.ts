/**
 * Uploads: multipart without the CSRF-prevention header, malformed and truncated multipart,
 * files over the size limit, type-lying content (magic bytes vs declared type and file name),
 * decompression bombs, and path traversal in file names — typed errors, nothing written, and no
 * file written anywhere (the API keeps uploads in memory and in the database only).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { diff, problems, record, type InputCtx } from '../support/checks.ts';
import { UPLOAD_LIMIT } from '../support/app.ts';

const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) { created failed results { status errorCode error } errors { code message } }
}`;

interface Part {
  bytes: Buffer;
  filename: string;
  type: string;
}

/** A PNG with the given size whose pixel data is all zeros: tiny on disk, huge decoded. */
export function zeroPng(width: number, height: number, claimed = [width, height]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claimed[0]!, 0);
  ihdr.writeUInt32BE(claimed[1]!, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function uploadTests(ctx: InputCtx): void {
  const multipart = async (
    files: Part[],
    headers: Record<string, string> = { 'apollo-require-preflight': 'true' },
  ) => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: INGEST,
        variables: {
          input: {
            datasetId: ctx.f.datasetId,
            createLabels: true,
            items: files.map(() => ({ site: ctx.f.siteId, labels: ['upload'], file: null })),
          },
        },
      }),
    );
    form.append(
      'map',
      JSON.stringify(
        Object.fromEntries(files.map((_, i) => [i, [`variables.input.items.${i}.file`]])),
      ),
    );
    files.forEach((file, i) =>
      form.append(String(i), new Blob([file.bytes], { type: file.type }), file.filename),
    );
    const response = await fetch(ctx.t.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.t.adminKey}`, ...headers },
      body: form,
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.status, text, json };
  };

  const codeOf = (json: unknown): string => {
    const j = json as {
      errors?: { extensions?: { code?: string } }[];
      data?: {
        ingestItems?: {
          errors: { code: string }[];
          results: { status: string; errorCode: string | null }[];
        };
      };
    } | null;
    return (
      j?.errors?.[0]?.extensions?.code ??
      j?.data?.ingestItems?.errors[0]?.code ??
      j?.data?.ingestItems?.results.map((r) => r.errorCode ?? r.status).join(',') ??
      'UNPARSEABLE'
    );
  };

  it('refused uploads answer with a code and write nothing', async () => {
    const { t, f } = ctx;
    const failures: string[] = [];
    const before = await t.snapshot();
    const check = (
      label: string,
      r: { status: number; text: string; json: unknown },
      codes: string[],
    ) => {
      failures.push(...problems(r, label));
      const code = codeOf(r.json);
      record(ctx, 'upload', code);
      if (!codes.includes(code))
        failures.push(`${label}: ${code} (HTTP ${r.status}) ${r.text.slice(0, 200)}`);
    };
    check(
      'no CSRF header',
      await multipart([{ bytes: f.png, filename: 'a.png', type: 'image/png' }], {}),
      ['BAD_REQUEST'],
    );
    check(
      'over the limit',
      await multipart([
        { bytes: Buffer.alloc(UPLOAD_LIMIT * 3, 1), filename: 'big.png', type: 'image/png' },
      ]),
      ['PAYLOAD_TOO_LARGE'],
    );
    check(
      'truncated PNG',
      await multipart([
        { bytes: f.png.subarray(0, f.png.length / 2), filename: 't.png', type: 'image/png' },
      ]),
      ['CORRUPT_IMAGE'],
    );
    check(
      'decompression bomb (4,000 × 4,000 zeros, a few KB)',
      await multipart([{ bytes: zeroPng(4000, 4000), filename: 'bomb.png', type: 'image/png' }]),
      ['PIXEL_LIMIT'],
    );
    check(
      'PNG header claiming 100,000 × 100,000',
      await multipart([
        { bytes: zeroPng(16, 16, [100_000, 100_000]), filename: 'wide.png', type: 'image/png' },
      ]),
      ['PIXEL_LIMIT'],
    );
    check(
      'binary declared as text',
      await multipart([
        {
          bytes: Buffer.from([
            0x7f,
            0x45,
            0x4c,
            0x46,
            2,
            1,
            1,
            0,
            ...new Array<number>(64).fill(0),
          ]),
          filename: 'notes.txt',
          type: 'text/plain',
        },
      ]),
      ['TYPE_MISMATCH', 'UNSUPPORTED_TYPE', 'BINARY_TEXT'],
    );
    check(
      'PDF declared as PNG',
      await multipart([
        {
          bytes: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
          filename: 'x.png',
          type: 'image/png',
        },
      ]),
      ['TYPE_MISMATCH', 'UNSUPPORTED_TYPE', 'CORRUPT_DOCUMENT'],
    );
    check(
      'empty file',
      await multipart([{ bytes: Buffer.alloc(0), filename: 'e.png', type: 'image/png' }]),
      ['EMPTY_CONTENT'],
    );
    // Hand-written multipart bodies: not multipart at all, a map to a missing file, no end.
    const boundary = '----hostile';
    const raw = (body: string) =>
      t.post(body, {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'apollo-require-preflight': 'true',
        authorization: `Bearer ${t.adminKey}`,
      });
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const operations = JSON.stringify({
      query: INGEST,
      variables: {
        input: {
          datasetId: f.datasetId,
          createLabels: true,
          items: [{ site: f.siteId, labels: ['x'], file: null }],
        },
      },
    });
    check('garbage multipart', await raw('this is not multipart at all'), [
      'BAD_REQUEST',
      'BAD_USER_INPUT',
    ]);
    check(
      'map names a file that is not sent',
      await raw(
        `${field('operations', operations)}${field('map', '{"0":["variables.input.items.0.file"]}')}--${boundary}--\r\n`,
      ),
      ['BAD_REQUEST', 'BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'],
    );
    check(
      'truncated multipart (no closing boundary)',
      await raw(
        `${field('operations', operations)}${field('map', '{"0":["variables.input.items.0.file"]}')}--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${f.png.subarray(0, 20).toString('latin1')}`,
      ),
      ['BAD_REQUEST', 'BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'],
    );
    check(
      'operations not JSON',
      await raw(`${field('operations', '{nope')}${field('map', '{}')}--${boundary}--\r\n`),
      ['BAD_REQUEST', 'BAD_USER_INPUT'],
    );
    check(
      'map into a non-upload variable',
      await raw(
        `${field('operations', operations)}${field('map', '{"0":["variables.input.datasetId"]}')}--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc\r\n--${boundary}--\r\n`,
      ),
      ['BAD_REQUEST', 'BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED'],
    );
    expect(failures).toEqual([]);
    expect(diff(before, await t.snapshot())).toBe('');
    expect(await t.alive()).toBe(true);
  });

  it('a file name with path traversal is only a name: the upload works and no file is written', async () => {
    const { f } = ctx;
    const marker = `concord-hostile-${randomUUID()}`;
    // The API must not spool uploads to disk; a private TMPDIR would catch any temporary file.
    const privateTmp = mkdtempSync(join(tmpdir(), 'concord-upload-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const names = [
        `../../../../tmp/${marker}`,
        `/tmp/${marker}`,
        `..\\..\\${marker}`,
        `%2e%2e%2f%2e%2e%2f${marker}`,
      ];
      // A PNG unlike the corpus's (so it is not a duplicate): the decompression test's zeros, small.
      const r = await multipart(
        names.map((filename, i) => ({ bytes: zeroPng(16 + i, 16), filename, type: 'image/png' })),
      );
      expect(problems(r, 'traversal')).toEqual([]);
      const answer = r.json as {
        data: { ingestItems: { created: number; results: { status: string }[] } };
      };
      record(
        ctx,
        'upload',
        `traversal names: ${answer.data.ingestItems.results.map((x) => x.status).join(',')}`,
      );
      expect(answer.data.ingestItems.created, r.text).toBe(names.length);
      expect(readdirSync(privateTmp)).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      rmSync(privateTmp, { recursive: true, force: true });
    }
    for (const place of [
      `/tmp/${marker}`,
      resolve(`../../../../tmp/${marker}`),
      resolve(marker),
      `/etc/${marker}`,
    ])
      expect(existsSync(place), place).toBe(false);
    expect(f.datasetId).toBeTruthy();
  });
}
