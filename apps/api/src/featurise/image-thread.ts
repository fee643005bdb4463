/**
 * A featurisation worker thread (run by piscina): holds one image CNN, loaded on the first task,
 * and turns decoded images into feature vectors, so the CNN's forward passes never run on the
 * API's event loop.
 */
import { createImageFeaturiser, type BuiltinCnnId, type ImageFeaturiser } from '@concord/features';
import type { ImageTask, ImageTaskResult } from './protocol.ts';

let featuriser: Promise<ImageFeaturiser> | null = null;
let loaded: BuiltinCnnId | null = null;

export default async function featuriseImages(task: ImageTask): Promise<ImageTaskResult> {
  if (loaded !== null && loaded !== task.cnn) throw new Error('one CNN per featurisation pool');
  loaded = task.cnn;
  featuriser ??= createImageFeaturiser({ kind: 'builtin', model: task.cnn });
  const f = await featuriser;
  const features = task.images.length > 0 ? await f.featurise(task.images) : [];
  return {
    describe: { id: f.id, version: f.version, dims: f.dims, inputSize: f.inputSize },
    features,
  };
}
