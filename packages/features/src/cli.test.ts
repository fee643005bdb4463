import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.ts';
import { fixture } from './test-paths.ts';
import { parseNpy } from './vectors/npy.ts';

/** Runs the CLI in-process, capturing what it prints. */
async function run(...args: string[]): Promise<{ status: number; stdout: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
  const status = await runCli(args);
  return { status, stdout: lines.join('\n') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cli', () => {
  it('check-vectors reports valid rows and per-row errors, exiting 1 when any row is bad', async () => {
    const r = await run('check-vectors', fixture('vectors', 'mixed.jsonl'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('2 valid rows, 3 errors');
    expect(r.stdout).toContain('BAD_RECORD');
  });

  it('featurise writes .npy rows and JSONL metadata for a manifest, errors separately', async () => {
    const out = mkdtempSync(join(tmpdir(), 'concord-cli-'));
    const manifest = join(out, 'manifest.jsonl');
    writeFileSync(
      manifest,
      [
        '{"id":"a","text":"A red bus on a bridge","labels":["bus"],"site":"hq"}',
        '{"id":"b","text":"Two jets at the airport","labels":["aeroplane"]}',
        '{"id":"c","text":"A cat asleep on a sofa","label":"cat"}',
        '{"id":"d","modality":"video","text":"not a modality"}',
      ].join('\n'),
    );
    const r = await run('featurise', manifest, '--out', join(out, 'result'), '--lsa-dims', '4');
    expect(r.status).toBe(0);
    const arr = parseNpy(readFileSync(join(out, 'result', 'text.npy')));
    expect(arr.shape).toEqual([3, 4]);
    const meta = readFileSync(join(out, 'result', 'text.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; labels: string[]; site: string | null });
    expect(meta.map((m) => [m.key, m.labels, m.site])).toEqual([
      ['a', ['bus'], 'hq'],
      ['b', ['aeroplane'], null],
      ['c', ['cat'], null],
    ]);
    const errors = readFileSync(join(out, 'result', 'errors.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ key: 'd', code: 'BAD_RECORD' });
    const model = JSON.parse(readFileSync(join(out, 'result', 'text-model.json'), 'utf8')) as {
      format: string;
    };
    expect(model.format).toBe('concord-lsa');
  });
});
