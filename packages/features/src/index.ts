// Public API of @concord/features: raw content in, feature vectors out. No database, HTTP or
// process.env here — storing goes through @concord/db, wired up in the API/worker.
export {
  FeatureError,
  toErrorInfo,
  type FeatureErrorCode,
  type FeatureErrorInfo,
} from './errors.ts';
export { sha256Hex } from './checksum.ts';
export {
  detectContent,
  kindFromMime,
  kindFromPath,
  modalityOf,
  IMAGE_KINDS,
  MIME_BY_KIND,
  type ContentKind,
  type DetectedContent,
  type Modality,
} from './detect.ts';

export {
  decodeImage,
  DEFAULT_MAX_PIXELS,
  type DecodeImageArgs,
  type DecodedImage,
  type ImageFit,
  type ImageInfo,
} from './image/decode.ts';
export {
  createImageFeaturiser,
  DEFAULT_IMAGE_FEATURISER,
  DEFAULT_INFERENCE_BATCH,
  type ImageFeaturiser,
  type ImageFeaturiserArgs,
  type PixelScaling,
} from './image/cnn-featuriser.ts';
export { BUILTIN_CNNS, NSFWJS_VERSION, type BuiltinCnnId } from './image/models.ts';
export { ensureTfBackend } from './image/backend.ts';

export { extractText, normaliseWhitespace, type ExtractedText } from './text/extract.ts';
export { htmlToText } from './text/html.ts';
export { markdownToText } from './text/markdown.ts';
export { pdfToText } from './text/pdf.ts';
export { docxToText } from './text/docx.ts';
export { tokenize, ENGLISH_STOP_WORDS, type Stemming, type TokenizeArgs } from './text/tokenize.ts';
export type { TextFeaturiser } from './text/featuriser.ts';
export {
  fitLsa,
  LsaModel,
  DEFAULT_LSA_CONFIG,
  DEFAULT_LSA_DIMS,
  LSA_FEATURISER_ID,
  type LsaArgs,
  type LsaConfig,
  type LsaModelJson,
} from './text/lsa.ts';

export {
  parseNpy,
  parseNpyHeader,
  writeNpyFloat32,
  type NpyArray,
  type NpyHeader,
} from './vectors/npy.ts';
export { parseJsonlVectors, jsonlLineToRow } from './vectors/jsonl.ts';
export { parseCsvVectors, csvRecordsToRows } from './vectors/csv.ts';
export {
  readNpyVectors,
  readVectorFile,
  vectorFormatFromPath,
  type NpyImportArgs,
  type VectorFileFormat,
} from './vectors/import.ts';
export { streamVectorFile, type StreamArgs } from './vectors/stream.ts';
export {
  checkVector,
  vectorBytes,
  vectorChecksum,
  vectorFromBytes,
  type VectorReadArgs,
  type VectorRow,
} from './vectors/rows.ts';

export { ingest, ingestInto, DEFAULT_INGEST_BATCH, type IngestArgs } from './pipeline/ingest.ts';
export { prepareItem, DEFAULT_MAX_BYTES } from './pipeline/prepare.ts';
export {
  walkFolder,
  parseManifest,
  readManifest,
  type ManifestFormat,
  type WalkFolderArgs,
} from './pipeline/sources.ts';
export {
  createGloveFeaturiser,
  isGloveAvailable,
  GLOVE_FEATURISER_ID,
  GLOVE_PACKAGE,
  type WordEmbeddings,
} from './text/glove.ts';
export {
  loadEmojiCorpus,
  emojiSourceItems,
  EMOJI_DATASOURCE_VERSION,
  emojiTestCorpus,
  spareEmojiImage,
  EMOJI_TEST_CATEGORIES,
  type EmojiCorpusArgs,
  type EmojiRecord,
  type EmojiSplit,
  type EmojiTestCorpusArgs,
  type EmojiTestItem,
} from './demo/index.ts';
export type {
  FailedItem,
  FeaturisedItem,
  IngestPhase,
  IngestResult,
  IngestSummary,
  KnownItem,
  ProgressEvent,
  SourceItem,
} from './pipeline/types.ts';
