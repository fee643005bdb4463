/**
 * Secrets and data: API keys stored only as SHA-256 hashes and compared in constant time; no key
 * secret, webhook secret, uploaded content or query text in anything the server logged during
 * all the hostile suites before; no code path of the API that writes files.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { InputCtx } from '../support/checks.ts';
import { INGEST } from '../support/fixture.ts';

const API_SRC = fileURLToPath(new URL('../../../../apps/api/src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

export function secretsTests(ctx: InputCtx): void {
  it('stores API keys only as SHA-256 hashes, compared with crypto.timingSafeEqual', async () => {
    const { t, f } = ctx;
    const rows = await t.db.sql.query<Record<string, unknown>>('SELECT * FROM api_key');
    const dump = JSON.stringify(rows);
    for (const key of f.secrets) {
      const [, prefix, secret] = /^ck_([0-9a-f]{12})_(.+)$/.exec(key)!;
      expect(dump.includes(secret!)).toBe(false);
      const row = rows.find((r) => r.prefix === prefix)!;
      expect(row.secret_hash).toBe(createHash('sha256').update(secret!).digest('hex'));
    }
    const source = readFileSync(join(API_SRC, 'auth/api-keys.ts'), 'utf8');
    const compare = /export function secretMatches[\s\S]*?\n}/.exec(source)?.[0] ?? '';
    expect(compare).toContain('timingSafeEqual(');
    expect(compare).toContain('timingSafeEqual(given, stored)');
    expect(compare).not.toMatch(/===\s*storedHash|storedHash\s*===|\.equals\(/);
    expect(readFileSync(join(API_SRC, 'auth/principal.ts'), 'utf8')).toContain('secretMatches(');
    // A right prefix with a wrong secret is refused like an unknown key.
    const forged = `${f.keys.admin!.slice(0, 16)}${'A'.repeat(43)}`;
    const r = await t.gql('{ me { id } }', {}, forged);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('no API code path writes files (uploads stay in memory and the database)', () => {
    const writers =
      /\b(writeFile|writeFileSync|createWriteStream|appendFile|copyFile|mkdtemp|rename|symlink)\s*\(/;
    const offenders = sourceFiles(API_SRC)
      .filter((path) => !/\/(scripts|testing)\/|\/cli\.ts$/.test(path))
      .filter((path) => writers.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('logged nothing secret: no key, webhook secret, content or query text (after every suite)', async () => {
    const { t, f } = ctx;
    // Content and query text the logs must not carry, sent once more right now (also a failing
    // call, whose error is the likeliest to be logged).
    const content = `secret-content-${randomUUID()}`;
    const question = `secret-question-${randomUUID()}`;
    await t.gql(INGEST, {
      input: {
        datasetId: f.datasetId,
        createLabels: true,
        items: [{ site: f.siteId, labels: ['x'], text: content }],
      },
    });
    await t.gql(
      `query($id: ID!, $q: String!) { search(datasetId: $id, query: { text: $q }) { edges { cursor } } }`,
      {
        id: f.datasetId,
        q: question,
      },
    );
    await t.gql(
      `query($q: String!) { search(datasetId: "nope", query: { text: $q }) { edges { cursor } } }`,
      {
        q: question,
      },
    );
    const hooks = await t.gql<{ webhooks: { secret: string }[] }>('{ webhooks { secret } }');
    const logs = t.logs.join('\n');
    const leaks: string[] = [];
    for (const key of f.secrets)
      if (logs.includes(key.slice(16))) leaks.push(`API key ${key.slice(0, 15)}…`);
    for (const hook of hooks.data.webhooks)
      if (logs.includes(hook.secret)) leaks.push('a webhook secret');
    for (const text of [content, question, ...f.texts])
      if (logs.includes(text)) leaks.push(`content "${text.slice(0, 40)}"`);
    if (logs.includes(f.png.toString('base64').slice(0, 64))) leaks.push('uploaded image bytes');
    expect(leaks).toEqual([]);
    expect(t.logs.filter((line) => line.includes('internal error'))).toEqual([]);
    expect(t.logs.length).toBeGreaterThanOrEqual(0);
  });
}
