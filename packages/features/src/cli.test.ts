import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture } from './test-paths.ts';
import { parseNpy } from './vectors/npy.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('cli', () => {
  it('check-vectors reports valid rows and per-row errors, exiting 1 when any row is bad', () => {
    const r = run('check-vectors', fixture('vectors', 'mixed.jsonl'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('2 valid rows, 3 errors');
    expect(r.stdout).toContain('BAD_RECORD');
  });

  it('featurise writes .npy rows and JSONL metadata for a manifest, errors separately', () => {
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
    const r = run('featurise', manifest, '--out', join(out, 'result'), '--lsa-dims', '4');
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
