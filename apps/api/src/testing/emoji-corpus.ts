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
