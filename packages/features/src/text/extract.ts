import { FeatureError } from '../errors.ts';
import { decodeTextOrUndefined, type ContentKind } from '../detect.ts';
import { htmlToText } from './html.ts';
import { markdownToText } from './markdown.ts';
import { pdfToText } from './pdf.ts';
import { docxToText } from './docx.ts';

export interface ExtractedText {
  text: string;
  metadata: Record<string, string | number>;
}

/** Collapses runs of spaces and more than one blank line; trims. */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Extracts the text of a document whose kind has already been detected from its bytes.
 * Text that is empty after extraction is an `EMPTY_CONTENT` error (e.g. a scanned PDF without a
 * text layer, or an HTML page that is all script).
 */
export async function extractText(bytes: Uint8Array, kind: ContentKind): Promise<ExtractedText> {
  let raw: string;
  const metadata: Record<string, string | number> = {};
  switch (kind) {
    case 'pdf': {
      const pdf = await pdfToText(bytes);
      raw = pdf.text;
      metadata.pages = pdf.pages;
      break;
    }
    case 'docx':
      raw = await docxToText(bytes);
      break;
    case 'html':
    case 'markdown':
    case 'text': {
      const decoded = decodeTextOrUndefined(bytes);
      if (decoded === undefined)
        throw new FeatureError('BINARY_TEXT', 'content is binary, not UTF-8 text');
      raw =
        kind === 'html'
          ? htmlToText(decoded)
          : kind === 'markdown'
            ? markdownToText(decoded)
            : decoded;
      break;
    }
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
    case 'svg':
      throw new FeatureError('UNSUPPORTED_TYPE', `${kind} is an image, not a document`);
  }
  const text = normaliseWhitespace(raw);
  if (text.length === 0)
    throw new FeatureError('EMPTY_CONTENT', `no text found in the ${kind} content`);
  metadata.characters = text.length;
  return { text, metadata };
}
