/**
 * A small real corpus for the browser tests, read straight from emoji-datasource-google (npm):
 * 64 px Google emoji PNGs and emoji names, labelled by category, on two sites (alternating
 * sub-categories), with explicit splits so every class is in every split. Images and texts come
 * from different emoji (no image–text pairs, as DRCL expects).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CATEGORIES = ['Animals & Nature', 'Food & Drink', 'Flags'] as const;
export const SITES = ['north-plant', 'south-plant'] as const;

export interface CorpusItem {
  key: string;
  label: string;
  site: string;
  split: 'TRAIN' | 'VALIDATION' | 'TEST';
  imagePath?: string;
  text?: string;
}

interface EmojiJson {
  unified: string;
  name: string | null;
  short_names: string[];
  image: string;
  category: string;
  subcategory: string;
  sort_order: number;
  has_img_google: boolean;
}

const packageDir = dirname(
  createRequire(import.meta.url).resolve('emoji-datasource-google/package.json'),
);

export function emojiCorpus(perClass: number): { images: CorpusItem[]; texts: CorpusItem[] } {
  const all = (JSON.parse(readFileSync(join(packageDir, 'emoji.json'), 'utf8')) as EmojiJson[])
    .filter((e) => e.has_img_google)
    .sort((a, b) => a.sort_order - b.sort_order);
  const images: CorpusItem[] = [];
  const texts: CorpusItem[] = [];
  for (const label of CATEGORIES) {
    const ofClass = all.filter((e) => e.category === label);
    const subcategories = [...new Set(ofClass.map((e) => e.subcategory))].sort();
    const site = (e: EmojiJson) => SITES[subcategories.indexOf(e.subcategory) % 2]!;
    ofClass
      .filter((_, i) => i % 2 === 0)
      .slice(0, perClass)
      .forEach((e, i) =>
        images.push({
          key: `img-${e.unified}`,
          label,
          site: site(e),
          split: splitOf(i, perClass),
          imagePath: join(packageDir, 'img', 'google', '64', e.image),
        }),
      );
    ofClass
      .filter((_, i) => i % 2 === 1)
      .slice(0, perClass)
      .forEach((e, i) =>
        texts.push({
          key: `txt-${e.unified}`,
          label,
          site: site(e),
          split: splitOf(i, perClass),
          text: `${(e.name ?? e.short_names[0] ?? '').toLowerCase()} (${e.subcategory.replaceAll('-', ' ')})`,
        }),
      );
  }
  return { images, texts };
}

/** About 70% train, 10% validation, 20% test, in a fixed order. */
function splitOf(i: number, n: number): CorpusItem['split'] {
  const test = Math.max(2, Math.round(n * 0.2));
  const validation = Math.max(1, Math.round(n * 0.1));
  if (i < test) return 'TEST';
  if (i < test + validation) return 'VALIDATION';
  return 'TRAIN';
}

/** An image of `label` that is not in the corpus: a fresh query for search. */
export function queryImage(label: string, corpus: CorpusItem[]): string {
  const used = new Set(corpus.map((c) => c.imagePath));
  const all = (JSON.parse(readFileSync(join(packageDir, 'emoji.json'), 'utf8')) as EmojiJson[])
    .filter((e) => e.has_img_google && e.category === label)
    .sort((a, b) => a.sort_order - b.sort_order);
  const pick = all
    .map((e) => join(packageDir, 'img', 'google', '64', e.image))
    .find((p, i) => i % 2 === 0 && !used.has(p));
  if (!pick) throw new Error(`no spare image of ${label}`);
  return pick;
}
