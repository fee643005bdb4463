/** Messages between the API and its featurisation threads (structured-clone friendly). */
import type { DecodedImage } from '@concord/features';
import type { ImageModelSpec } from './catalogue.ts';

export interface ImageTask {
  /** The CNN to run; a thread loads it on first use and keeps it (reloaded when `stamp` changes). */
  model: ImageModelSpec;
  /** Decoded, resized images; may be empty (then the thread only loads and describes the CNN). */
  images: DecodedImage[];
}

export interface FeaturiserDescription {
  id: string;
  version: string;
  dims: number;
  inputSize: number;
}

export interface ImageTaskResult {
  describe: FeaturiserDescription;
  features: Float32Array[];
  /** The worker thread that ran the task (diagnostics and tests). */
  threadId: number;
}
