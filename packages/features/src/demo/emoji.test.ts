import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emojiSourceItems, loadEmojiCorpus } from './emoji.ts';

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
    expect(items[0]!.metadata?.pairId).toBe(items[1]!.metadata?.pairId);
    expect(items[1]!.text).toBe(records[0]!.text);
  });
});
