import { fileTypeFromBuffer } from 'file-type';
import { FeatureError } from './errors.ts';

/** Every content type the pipeline understands, with the modality it feeds. */
export type ContentKind =
  'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'svg' | 'pdf' | 'docx' | 'html' | 'markdown' | 'text';

export type Modality = 'image' | 'text';

export const IMAGE_KINDS: readonly ContentKind[] = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'svg'];
const TEXT_FAMILY: readonly ContentKind[] = ['text', 'markdown', 'html'];

export const MIME_BY_KIND: Record<ContentKind, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
};

const KIND_BY_EXTENSION: Record<string, ContentKind> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tif: 'tiff',
  tiff: 'tiff',
  svg: 'svg',
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
};

export function modalityOf(kind: ContentKind): Modality {
  return IMAGE_KINDS.includes(kind) ? 'image' : 'text';
}

/** The kind a file name claims by its extension, or undefined when the extension is unknown. */
export function kindFromPath(path: string): ContentKind | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return KIND_BY_EXTENSION[path.slice(dot + 1).toLowerCase()];
}

/** The kind a MIME type claims (parameters such as `; charset=` are ignored). */
export function kindFromMime(mime: string): ContentKind | undefined {
  const base = mime.split(';')[0]?.trim().toLowerCase() ?? '';
  if (base === 'image/jpg') return 'jpeg';
  if (base === 'text/x-markdown') return 'markdown';
  if (base === 'application/xhtml+xml') return 'html';
  const entry = Object.entries(MIME_BY_KIND).find(([, m]) => m === base);
  return entry?.[0] as ContentKind | undefined;
}

const KIND_BY_DETECTED_MIME: Record<string, ContentKind> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'application/pdf': 'pdf',
  [MIME_BY_KIND.docx]: 'docx',
};

/**
 * Decodes bytes as UTF-8 text, or returns undefined when they are binary: invalid UTF-8, NUL bytes,
 * or more than 10% control characters other than tab/newline/carriage-return/form-feed.
 */
export function decodeTextOrUndefined(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return undefined;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) control++;
  }
  return control > text.length * 0.1 ? undefined : text;
}

function sniffMarkup(text: string): ContentKind | undefined {
  // Skip an XML declaration, comments and a doctype before looking at the first element.
  const head = text.slice(0, 4096).trimStart().toLowerCase();
  const stripped = head
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/^(<!--[\s\S]*?-->\s*)+/, '')
    .trimStart();
  if (
    stripped.startsWith('<svg') ||
    (stripped.startsWith('<!doctype svg') && head.includes('<svg'))
  )
    return 'svg';
  if (stripped.startsWith('<!doctype html') || stripped.startsWith('<html')) return 'html';
  return undefined;
}

export interface DetectedContent {
  kind: ContentKind;
  mime: string;
  modality: Modality;
  /** Set for text-family kinds and SVG: the UTF-8 decoded content. */
  text?: string;
}

/**
 * Determines a content's real type from its bytes (magic numbers, then text sniffing) and checks it
 * against what the caller declared (file extension or manifest MIME type). A file whose bytes say
 * otherwise than its declared type is a `TYPE_MISMATCH`; binary bytes declared as text are
 * `BINARY_TEXT`. Plain text, Markdown and HTML are interchangeable declarations for text content.
 */
export async function detectContent(
  bytes: Uint8Array,
  declared?: ContentKind,
): Promise<DetectedContent> {
  if (bytes.length === 0) throw new FeatureError('EMPTY_CONTENT', 'content is empty (0 bytes)');
  const declaredText = declared !== undefined && TEXT_FAMILY.includes(declared);
  const magic = await fileTypeFromBuffer(bytes);
  let kind: ContentKind | undefined;
  let text: string | undefined;
  if (magic !== undefined && magic.mime !== 'application/xml') {
    kind = KIND_BY_DETECTED_MIME[magic.mime];
    if (kind === undefined || declaredText) {
      if (declaredText)
        throw new FeatureError(
          'BINARY_TEXT',
          `declared as ${declared} but is binary (${magic.mime})`,
        );
      throw new FeatureError('UNSUPPORTED_TYPE', `unsupported content type ${magic.mime}`);
    }
  } else {
    text = decodeTextOrUndefined(bytes);
    if (text === undefined) {
      if (declaredText) throw new FeatureError('BINARY_TEXT', 'content is binary, not UTF-8 text');
      if (declared === undefined)
        throw new FeatureError(
          'UNSUPPORTED_TYPE',
          'unrecognised binary content (not a supported type)',
        );
      throw new FeatureError(
        'TYPE_MISMATCH',
        `declared as ${declared} but content is unrecognised binary data`,
      );
    }
    kind = sniffMarkup(text) ?? (declared === 'markdown' ? 'markdown' : 'text');
  }
  if (declared !== undefined && declared !== kind) {
    if (declaredText && TEXT_FAMILY.includes(kind)) kind = declared;
    else throw new FeatureError('TYPE_MISMATCH', `declared as ${declared} but content is ${kind}`);
  }
  return {
    kind,
    mime: MIME_BY_KIND[kind],
    modality: modalityOf(kind),
    ...(text !== undefined ? { text } : {}),
  };
}
