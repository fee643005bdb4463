import type { ContentKind, Modality } from '../detect.ts';
import type { FeatureErrorInfo } from '../errors.ts';

/** One thing to ingest: a file, raw bytes, or an inline text, with its labels and site. */
export interface SourceItem {
  /** The caller's key for the item (relative path, manifest id, …); echoed in results. */
  key: string;
  /**
   * The key only names the item in results (a manifest row without an `id`, keyed `row-N`): the
   * item itself is keyless, identified by its content.
   */
  keyless?: boolean;
  /** The caller's record: items that belong together (an image and its caption) share it. */
  record?: string;
  /** File to read. Exactly one of path / bytes / text is set. */
  path?: string;
  bytes?: Uint8Array;
  /** Inline text (titles, captions, short texts). */
  text?: string;
  /** Declared modality; content of the other modality is a TYPE_MISMATCH. */
  modality?: Modality;
  /** Declared MIME type; otherwise the file extension declares the type. */
  mime?: string;
  labels: string[];
  site?: string;
  /** Caller metadata, passed through to the result. */
  metadata?: Record<string, unknown>;
  /** Set by a source that could not build the item (e.g. a malformed manifest row). */
  error?: FeatureErrorInfo;
}

export interface FeaturisedItem {
  ok: true;
  status: 'featurised';
  item: SourceItem;
  modality: Modality;
  kind: ContentKind;
  mime: string;
  /** Size of `content` in bytes. */
  size: number;
  /** Hex sha256 of `content`: the idempotency key. */
  checksum: string;
  /** The original content (file bytes, or the UTF-8 bytes of an inline text). */
  content: Uint8Array;
  /** Extracted text, for the text modality. */
  text?: string;
  /** What the decoder/extractor learnt (image size, EXIF orientation, PDF pages, …). */
  metadata: Record<string, unknown>;
  features: Float32Array;
  featuriserId: string;
  featuriserVersion: string;
}

/** The sink already holds content with this checksum (see `IngestArgs.isKnown`): nothing to do. */
export interface KnownItem {
  ok: true;
  status: 'known';
  item: SourceItem;
  modality: Modality;
  checksum: string;
}

export interface FailedItem {
  ok: false;
  status: 'failed';
  item: SourceItem;
  error: FeatureErrorInfo;
  /** Present when the content could be read. */
  checksum?: string;
}

export type IngestResult = FeaturisedItem | KnownItem | FailedItem;

export type IngestPhase = 'reading' | 'fitting' | 'featurising' | 'done';

export interface ProgressEvent {
  phase: IngestPhase;
  /** Items with a final result so far (featurised + known + failed). */
  processed: number;
  featurised: number;
  known: number;
  failed: number;
  /** When the caller said how many items there are. */
  total?: number;
  elapsedMs: number;
}

export interface IngestSummary {
  featurised: number;
  known: number;
  failed: number;
  elapsedMs: number;
}
