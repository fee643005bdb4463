import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emojiSourceItems, loadEmojiCorpus } from './emoji.ts';
import { EMOJI_TEST_CATEGORIES, emojiTestCorpus, spareEmojiImage } from './test-corpus.ts';

describe('emoji demo corpus', () => {
  const records = loadEmojiCorpus();

  it('has the 1,911 Google emoji minus 5 skin-tone components, in 9 categories', () => {
    expect(records).toHaveLength(1906);
    expect(loadEmojiCorpus({ includeComponents: true })).toHaveLength(1911);
    expect(new Set(records.map((r) => r.label)).size).toBe(9);
  });

  it('points at real 64×64 PNGs and carries name + short names as text', () => {
    for (const r of records.slice(0, 50)) expect(existsSync(r.imagePath)).toBe(true);
    const png = readFileSync(records[0]!.imagePath);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(64); // IHDR width
    const grinning = records.find((r) => r.id === '1F600')!;
    expect(grinning).toMatchObject({ text: 'grinning face: grinning', label: 'Smileys & Emotion' });
  });

  it('splits the corpus over two sites, each holding most categories', () => {
    const sites = new Map<string, Set<string>>();
    for (const r of records) sites.set(r.site, (sites.get(r.site) ?? new Set()).add(r.label));
    expect([...sites.keys()].sort()).toEqual(['branch-office', 'headquarters']);
    const branch = records.filter((r) => r.site === 'branch-office').length;
    expect(branch).toBeGreaterThan(records.length * 0.2);
    expect(branch).toBeLessThan(records.length * 0.8);
    for (const labels of sites.values()) expect(labels.size).toBeGreaterThanOrEqual(8);
  });

  it('yields an image and a text item per emoji, paired by id', () => {
    const items = emojiSourceItems(records.slice(0, 3));
    expect(items.map((i) => i.modality)).toEqual([
      'image',
      'text',
      'image',
      'text',
      'image',
      'text',
    ]);
    expect(items[0]!.record).toBe(items[1]!.record);
    expect(items[0]!.record).toBe(records[0]!.id);
    expect(items[1]!.text).toBe(records[0]!.text);
  });
});

describe('emoji test corpus', () => {
  const sites = ['north-plant', 'south-plant'] as const;

  it('takes perClass images and perClass texts per category from different emoji', () => {
    const { images, texts } = emojiTestCorpus(10, { sites });
    expect(images).toHaveLength(10 * EMOJI_TEST_CATEGORIES.length);
    expect(texts).toHaveLength(10 * EMOJI_TEST_CATEGORIES.length);
    const imageIds = new Set(images.map((i) => i.key.slice(4)));
    expect(texts.some((t) => imageIds.has(t.key.slice(4)))).toBe(false);
    for (const label of EMOJI_TEST_CATEGORIES) {
      const splits = images.filter((i) => i.label === label).map((i) => i.split);
      // 2 test, 1 validation, 7 train of 10 (70/10/20 rounded, at least 2 and 1).
      expect(splits.filter((s) => s === 'TEST')).toHaveLength(2);
      expect(splits.filter((s) => s === 'VALIDATION')).toHaveLength(1);
    }
    expect(new Set(images.map((i) => i.site))).toEqual(new Set(sites));
    expect(images.every((i) => existsSync(i.imagePath!))).toBe(true);
    expect(texts[0]!.text).toMatch(/\(.+\)$/); // name, short names, then the sub-category
  });

  it('finds a spare image of a class outside the corpus', () => {
    const { images } = emojiTestCorpus(5, { sites });
    const spare = spareEmojiImage(
      'Flags',
      images.map((i) => i.imagePath!),
    );
    expect(images.some((i) => i.imagePath === spare)).toBe(false);
    expect(loadEmojiCorpus().find((r) => r.imagePath === spare)?.label).toBe('Flags');
  });
});
