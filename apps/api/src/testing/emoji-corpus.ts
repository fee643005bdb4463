/**
 * The API tests' emoji corpus: the shared balanced slice from `@concord/features/demo`
 * (emoji-datasource-google), with each image's PNG inlined as base64 for `ingestItems`.
 */
import { readFileSync } from 'node:fs';
import { EMOJI_TEST_CATEGORIES, emojiTestCorpus as sharedCorpus } from '@concord/features/demo';

export const TEST_CATEGORIES = EMOJI_TEST_CATEGORIES;

export interface CorpusItem {
  key: string;
  label: string;
  site: string;
  split: 'TRAIN' | 'VALIDATION' | 'TEST';
  base64?: string;
  text?: string;
}

/** `perClass` images and `perClass` texts of each category (different emoji for the two). */
export function emojiTestCorpus(
  perClass: number,
  sites: [string, string],
): { images: CorpusItem[]; texts: CorpusItem[] } {
  const { images, texts } = sharedCorpus(perClass, { sites });
  return {
    images: images.map(({ imagePath, ...item }) => ({
      ...item,
      base64: readFileSync(imagePath!).toString('base64'),
    })),
    texts,
  };
}

/**
 * A corpus item as an `IngestItemInput`: its key (or another), site, label and split, and its
 * content.
 */
export function ingestInput(item: CorpusItem, key = item.key) {
  return {
    key,
    site: item.site,
    labels: [item.label],
    split: item.split,
    ...(item.base64
      ? { base64: item.base64, modality: 'IMAGE' }
      : { text: item.text, modality: 'TEXT' }),
  };
}
