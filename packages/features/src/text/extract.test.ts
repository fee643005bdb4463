import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeatureError } from '../errors.ts';
import { fixture } from '../test-paths.ts';
import { extractText } from './extract.ts';
import type { ContentKind } from '../detect.ts';

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof FeatureError ? err.code : `unexpected ${String(err)}`;
  }
}

const read = (...p: string[]) => readFileSync(fixture(...p));

describe('extractText', () => {
  it('reads every page of a PDF (pdf.js)', async () => {
    const { text, metadata } = await extractText(read('docs', 'report.pdf'), 'pdf');
    expect(metadata.pages).toBe(2);
    expect(text).toContain('Quarterly aircraft maintenance report');
    expect(text).toContain('twelve aeroplanes and two helicopters');
    expect(text).toContain('runway lighting repairs');
  });

  it('reads a DOCX (mammoth), runs of one paragraph joined', async () => {
    const { text } = await extractText(read('docs', 'timetable.docx'), 'docx');
    expect(text).toContain('Harbour ferry timetable');
    expect(text).toContain('The morning ferry leaves the north pier at seven.');
    expect(text).toContain('Bicycles travel free on weekends.');
  });

  it('keeps the visible text of HTML and drops scripts, styles, noscript and head', async () => {
    const { text } = await extractText(read('docs', 'page.html'), 'html');
    expect(text).toContain('Mountain cabin rental');
    expect(text).toContain('The cabin sleeps six guests and has a wood stove.');
    expect(text).toContain('Sauna');
    for (const hidden of ['SENTINEL', 'Ignored head title', 'tracking', 'banner'])
      expect(text).not.toContain(hidden);
  });

  it('renders Markdown to plain text without markup, link targets or embedded scripts', async () => {
    const { text } = await extractText(read('docs', 'notes.md'), 'markdown');
    expect(text).toContain('Garden notes');
    expect(text).toContain('Plant tomatoes after the last frost. See the almanac.');
    expect(text).toContain('stake the vines');
    for (const hidden of ['**', '#', 'example.invalid', 'SENTINEL'])
      expect(text).not.toContain(hidden);
  });

  it('reads plain text, normalising whitespace', async () => {
    const { text } = await extractText(
      Buffer.from('  A caption\r\n\r\n\r\n\r\nwith   gaps \n'),
      'text',
    );
    expect(text).toBe('A caption\n\nwith gaps');
  });

  it('gives clear errors for encrypted PDFs, empty and binary text, and damaged documents', async () => {
    expect(await errorCode(extractText(read('bad', 'encrypted.pdf'), 'pdf'))).toBe('ENCRYPTED_PDF');
    expect(await errorCode(extractText(read('bad', 'empty.txt'), 'text'))).toBe('EMPTY_CONTENT');
    expect(await errorCode(extractText(Buffer.from(' \n\t\n'), 'text'))).toBe('EMPTY_CONTENT');
    expect(await errorCode(extractText(read('bad', 'blank.md'), 'markdown'))).toBe('EMPTY_CONTENT');
    expect(await errorCode(extractText(read('bad', 'binary.txt'), 'text'))).toBe('BINARY_TEXT');
    const pdf = read('docs', 'report.pdf');
    expect(await errorCode(extractText(pdf.subarray(0, 300), 'pdf'))).toBe('CORRUPT_DOCUMENT');
    const docx = read('docs', 'timetable.docx');
    expect(await errorCode(extractText(docx.subarray(0, 200), 'docx'))).toBe('CORRUPT_DOCUMENT');
    const kinds: ContentKind[] = ['png', 'svg'];
    for (const k of kinds) expect(await errorCode(extractText(pdf, k))).toBe('UNSUPPORTED_TYPE');
  });
});
