import { describe, expect, it } from 'vitest';
import { createGloveFeaturiser, isGloveAvailable } from './glove.ts';

describe('GloVe averaged word vectors (optional)', () => {
  it('averages known word vectors and L2-normalises (arithmetic on a toy table)', async () => {
    const f = await createGloveFeaturiser({
      embeddings: { dimensions: 2, vectors: { cat: [1, 0, 9.9], dog: [0, 1, 9.9] } },
    });
    const [v, empty] = await f.featurise(['The cat and the dog', 'unknown words only']);
    // mean([1,0],[0,1]) = [0.5, 0.5] → unit length [1/√2, 1/√2]; extra entries (norms) ignored.
    expect(Math.abs(v![0]! - Math.SQRT1_2)).toBeLessThan(1e-6);
    expect(Math.abs(v![1]! - Math.SQRT1_2)).toBeLessThan(1e-6);
    expect(Array.from(empty!)).toEqual([0, 0]);
  });

  it('fails clearly when the package is not installed (it is not a dependency)', async () => {
    if (isGloveAvailable()) return; // installed locally: nothing to check here
    await expect(createGloveFeaturiser()).rejects.toThrow(/not installed/);
  });
});
