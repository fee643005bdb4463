/** The emoji corpus as `ingestItems` input (images inlined as base64) and a small DRCL config. */
import { readFileSync } from 'node:fs';
import { emojiTestCorpus } from '@concord/features/demo';

export const SITES: [string, string] = ['north-plant', 'south-plant'];

export interface IngestItem {
  key: string;
  site: string;
  labels: string[];
  split: string;
  base64?: string;
  text?: string;
}

export function corpusItems(perClass: number): { images: IngestItem[]; texts: IngestItem[] } {
  const { images, texts } = emojiTestCorpus(perClass, { sites: SITES });
  const toItem = (item: (typeof images)[number]): IngestItem => ({
    key: item.key,
    site: item.site,
    labels: [item.label],
    split: item.split,
    ...(item.imagePath
      ? { base64: readFileSync(item.imagePath).toString('base64') }
      : { text: item.text! }),
  });
  return { images: images.map(toItem), texts: texts.map(toItem) };
}

/** Small enough for a loaded 2-core machine, long enough that units overlap and can be killed. */
export function tinyConfig(epochs: number, seed = 3): Record<string, unknown> {
  return {
    hiddenSizes: [64],
    splEpochs: epochs,
    rscEpochs: epochs,
    batchSize: 8,
    splLearningRate: 0.01,
    rscLearningRate: 0.01,
    textDimensions: 16,
    seed,
  };
}
