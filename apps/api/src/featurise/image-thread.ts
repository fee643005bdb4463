/**
 * A featurisation worker thread (run by piscina): loads each CNN a task names on first use and
 * keeps it (a user model is reloaded when its folder changed), and turns decoded images into
 * feature vectors, so the CNNs' forward passes never run on the API's event loop.
 */
import { threadId } from 'node:worker_threads';
import type { ImageFeaturiser } from '@concord/features';
import { cacheStamp, loadImageModel } from './catalogue.ts';
import type { ImageTask, ImageTaskResult } from './protocol.ts';

const loaded = new Map<string, { stamp: string; featuriser: Promise<ImageFeaturiser> }>();

export default async function featuriseImages(task: ImageTask): Promise<ImageTaskResult> {
  const stamp = cacheStamp(task.model);
  let entry = loaded.get(task.model.id);
  if (entry?.stamp !== stamp) {
    // One task at a time per thread: nothing else is using the model being replaced.
    if (entry) (await entry.featuriser.catch(() => null))?.dispose();
    const fresh = { stamp, featuriser: loadImageModel(task.model) };
    fresh.featuriser.catch(() => {
      if (loaded.get(task.model.id) === fresh) loaded.delete(task.model.id);
    });
    loaded.set(task.model.id, fresh);
    entry = fresh;
  }
  const f = await entry.featuriser;
  const features = task.images.length > 0 ? await f.featurise(task.images) : [];
  return {
    describe: { id: f.id, version: f.version, dims: f.dims, inputSize: f.inputSize },
    features,
    threadId,
  };
}
