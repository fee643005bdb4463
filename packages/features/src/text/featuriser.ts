/** A text featuriser: the same text always gives the same vector for a given `version`. */
export interface TextFeaturiser {
  /** Stable id recorded with every vector, e.g. `lsa-tfidf`. */
  readonly id: string;
  /** Changes whenever the same text could produce a different vector (model fingerprint). */
  readonly version: string;
  readonly dims: number;
  featurise(texts: readonly string[]): Promise<Float32Array[]>;
}
