import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../test-paths.ts';
import { parseManifest, walkFolder } from './sources.ts';

describe('sources', () => {
  it('walks a folder in path order, labelling by parent folder when asked', async () => {
    const items = [];
    for await (const item of walkFolder(FIXTURES, { labelFromFolder: true, site: 'hq' }))
      items.push(item);
    const keys = items.map((i) => i.key);
    expect(keys).toContain('images/alpha.png');
    expect(keys).toContain('docs/report.pdf');
    expect([...keys].sort()).toEqual(keys);
    const png = items.find((i) => i.key === 'images/alpha.png')!;
    expect([png.path, png.labels, png.site]).toEqual([
      fixture('images', 'alpha.png'),
      ['images'],
      'hq',
    ]);
  });

  it('reads CSV manifests: paths resolved against the manifest folder, texts inline, bad rows flagged', () => {
    const csv = [
      'id,path,text,modality,labels,site,record',
      'a,images/alpha.png,,image,shape|green,hq,p1',
      'b,,"A caption, with a comma",text,caption,branch,p1',
      'c,,,text,,',
      'd,docs/report.pdf,,video,,',
    ].join('\n');
    const items = parseManifest(csv, 'csv', FIXTURES);
    expect(items[0]).toMatchObject({
      key: 'a',
      path: fixture('images', 'alpha.png'),
      modality: 'image',
      labels: ['shape', 'green'],
      site: 'hq',
      record: 'p1',
    });
    expect(items[0]!.keyless).toBeUndefined();
    expect(items[1]).toMatchObject({
      key: 'b',
      text: 'A caption, with a comma',
      labels: ['caption'],
      site: 'branch',
      record: 'p1',
    });
    expect(items[2]!.error?.code).toBe('BAD_RECORD');
    expect(items[3]!.error?.message).toMatch(/unknown modality "video"/);
  });

  it('reads JSONL manifests with label arrays; a non-JSON line is a flagged item', () => {
    const jsonl = [
      '{"path":"docs/notes.md","labels":["garden","notes"],"site":"north"}',
      '{"text":"short title","label":"title","record":42}',
      '{oops',
    ].join('\n');
    const items = parseManifest(jsonl, 'jsonl', FIXTURES);
    // Rows without an id are keyless: `row-N` only names them in results.
    expect(items[0]).toMatchObject({
      key: 'row-1',
      keyless: true,
      path: fixture('docs', 'notes.md'),
      labels: ['garden', 'notes'],
    });
    expect(items[1]).toMatchObject({ text: 'short title', labels: ['title'], record: '42' });
    expect(items[0]!.record).toBeUndefined();
    expect(items[2]!.error?.code).toBe('BAD_RECORD');
  });
});
