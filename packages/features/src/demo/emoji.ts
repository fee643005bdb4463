import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SourceItem } from '../pipeline/types.ts';

const require = createRequire(import.meta.url);

/** One emoji of the demo corpus: a 64×64 Google PNG and its names, labelled by category. */
export interface EmojiRecord {
  /** Unicode code points, e.g. `1F600`: the pair id linking the image and the text. */
  id: string;
  imagePath: string;
  /** Name and short names, e.g. `grinning face: grinning`. */
  text: string;
  /** Category, e.g. `Smileys & Emotion`. */
  label: string;
  subcategory: string;
  site: string;
}

export interface EmojiCorpusArgs {
  /** The `Component` category holds 5 skin-tone swatches, not emoji; excluded by default. */
  includeComponents?: boolean;
  /** Names of the two sites; default `headquarters` and `branch-office`. */
  sites?: readonly [string, string];
}

interface EmojiJson {
  name: string | null;
  unified: string;
  image: string;
  short_names: string[];
  category: string;
  subcategory: string;
  sort_order: number;
  has_img_google: boolean;
}

export const EMOJI_DATASOURCE_VERSION = '16.0.0';

function packageDir(): string {
  return dirname(require.resolve('emoji-datasource-google/package.json'));
}

/**
 * The demo corpus from `emoji-datasource-google@16` (data MIT, images Apache-2.0), in the
 * package's sort order. Sites: within each category, subcategories in alphabetical order
 * alternate between the two sites, so both sites hold every category that has more than one
 * subcategory (e.g. Flags: `country-flag` at the first site, `flag` at the second).
 */
export function loadEmojiCorpus(args: EmojiCorpusArgs = {}): EmojiRecord[] {
  const dir = packageDir();
  const [siteA, siteB] = args.sites ?? ['headquarters', 'branch-office'];
  const all = (JSON.parse(readFileSync(join(dir, 'emoji.json'), 'utf8')) as EmojiJson[])
    .filter(
      (e) => e.has_img_google && (args.includeComponents === true || e.category !== 'Component'),
    )
    .sort((a, b) => a.sort_order - b.sort_order);
  const subcats = new Map<string, string[]>();
  for (const e of all) {
    const list = subcats.get(e.category) ?? [];
    if (!list.includes(e.subcategory)) list.push(e.subcategory);
    subcats.set(e.category, list);
  }
  for (const list of subcats.values()) list.sort();
  return all.map((e) => {
    const shortNames = e.short_names.map((s) => s.replace(/_/g, ' '));
    const name = (e.name ?? shortNames[0] ?? e.unified).toLowerCase();
    const others = shortNames.filter((s) => s !== name);
    const index = subcats.get(e.category)!.indexOf(e.subcategory);
    return {
      id: e.unified,
      imagePath: join(dir, 'img', 'google', '64', e.image),
      text: others.length > 0 ? `${name}: ${others.join(', ')}` : name,
      label: e.category,
      subcategory: e.subcategory,
      site: index % 2 === 0 ? siteA : siteB,
    };
  });
}

/**
 * Pipeline items for the corpus: for each emoji an image item and a text item, both labelled with
 * the category, at the emoji's site, and linked as one record named by the emoji's code point(s).
 */
export function emojiSourceItems(records: readonly EmojiRecord[]): SourceItem[] {
  return records.flatMap((r) => {
    const common = {
      labels: [r.label],
      site: r.site,
      record: r.id,
      metadata: { subcategory: r.subcategory },
    };
    return [
      { key: `${r.id}/image`, path: r.imagePath, modality: 'image' as const, ...common },
      { key: `${r.id}/text`, text: r.text, modality: 'text' as const, ...common },
    ];
  });
}
