import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectContent, kindFromPath, type ContentKind } from './detect.ts';
import { FeatureError } from './errors.ts';
import { PASCAL, fixture } from './test-paths.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof FeatureError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('detectContent (magic bytes + text sniffing)', () => {
  const cases: [string, ContentKind][] = [
    [join(PASCAL, 'images', '2008_000716.jpg'), 'jpeg'],
    [fixture('images', 'alpha.png'), 'png'],
    [fixture('images', 'halves.webp'), 'webp'],
    [fixture('images', 'two-frames.gif'), 'gif'],
    [fixture('images', 'halves.tiff'), 'tiff'],
    [fixture('images', 'left-red.svg'), 'svg'],
    [fixture('docs', 'report.pdf'), 'pdf'],
    [fixture('docs', 'timetable.docx'), 'docx'],
    [fixture('docs', 'page.html'), 'html'],
    [fixture('docs', 'notes.md'), 'markdown'],
    [fixture('docs', 'caption.txt'), 'text'],
  ];
  it.each(cases)('%s is %s', async (path, kind) => {
    const bytes = readFileSync(path);
    expect((await detectContent(bytes, kindFromPath(path))).kind).toBe(kind);
    // Without a declared type the bytes alone decide (Markdown is indistinguishable from text).
    expect((await detectContent(bytes)).kind).toBe(kind === 'markdown' ? 'text' : kind);
  });

  it('rejects a file whose extension lies about its type', async () => {
    const path = fixture('bad', 'png-named.jpg');
    expect(await codeOf(detectContent(readFileSync(path), kindFromPath(path)))).toBe(
      'TYPE_MISMATCH',
    );
  });

  it('rejects binary bytes declared as text, and empty content', async () => {
    expect(await codeOf(detectContent(readFileSync(fixture('bad', 'binary.txt')), 'text'))).toBe(
      'BINARY_TEXT',
    );
    expect(await codeOf(detectContent(new Uint8Array(0), 'text'))).toBe('EMPTY_CONTENT');
    // An image declared as a document is a mismatch, a document declared as an image too.
    expect(await codeOf(detectContent(readFileSync(fixture('docs', 'report.pdf')), 'png'))).toBe(
      'TYPE_MISMATCH',
    );
    expect(await codeOf(detectContent(readFileSync(fixture('images', 'alpha.png')), 'text'))).toBe(
      'BINARY_TEXT',
    );
  });

  it('treats text, Markdown and HTML declarations as interchangeable for text content', async () => {
    const html = readFileSync(fixture('docs', 'page.html'));
    expect((await detectContent(html, 'text')).kind).toBe('text');
    const txt = readFileSync(fixture('docs', 'caption.txt'));
    expect((await detectContent(txt, 'html')).kind).toBe('html');
  });
});
