/** Messages between the API and its featurisation threads (structured-clone friendly). */
import type { BuiltinCnnId, DecodedImage } from '@concord/features';

export interface ImageTask {
  cnn: BuiltinCnnId;
  /** Decoded, resized images; may be empty (then the thread only loads and describes its CNN). */
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
}
