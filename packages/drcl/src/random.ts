// Seeded randomness. Every random draw of a run comes from a `Rng` whose state is one uint32
// (mulberry32), so a checkpoint can store it and the same seed gives the same run.

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Derives an independent stream for a named purpose (e.g. `spl/image`). */
  static derive(seed: number, purpose: string): Rng {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < purpose.length; i++) {
      h = Math.imul(h ^ purpose.charCodeAt(i), 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
    }
    return new Rng(Math.imul(h ^ (h >>> 16), 0xc2b2ae35) >>> 0);
  }

  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with U(−bound, bound). */
  fillUniform(out: Float32Array, bound: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (2 * this.next() - 1) * bound;
    return out;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
