/**
 * Turns a query into a vector in a model's space: decodes and caches each model's networks and
 * text featuriser, and embeds with the training core's own `embedFeatures`.
 */
import type { Repositories } from '@concord/db';
import { decodeBundle, embedFeatures, type NetworkWeights } from '@concord/drcl';
import { LsaModel } from '@concord/features';
import { AppError } from '../../errors.ts';

interface LoadedModality {
  network: NetworkWeights;
  text: LsaModel | null;
}

const CACHE_LIMIT = 16;

export class ModelRuntime {
  private readonly cache = new Map<string, Promise<LoadedModality>>();

  constructor(private readonly repos: Repositories) {}

  private load(modelId: string, modality: string): Promise<LoadedModality> {
    const key = `${modelId}:${modality}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = (async () => {
        const row = await this.repos.models.modality(modelId, modality);
        if (!row) throw new AppError('BAD_USER_INPUT', `The model has no ${modality} network.`);
        return {
          network: decodeBundle(row.weights) as NetworkWeights,
          text: row.featuriserState ? LsaModel.fromBytes(row.featuriserState) : null,
        };
      })();
      entry.catch(() => this.cache.delete(key));
      this.cache.set(key, entry);
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  async embed(modelId: string, modality: string, features: Float32Array): Promise<Float32Array> {
    const { network } = await this.load(modelId, modality);
    if (features.length !== network.inputDim) {
      throw new AppError(
        'BAD_USER_INPUT',
        `Features have ${features.length} dimensions; the ${modality} network takes ${network.inputDim}.`,
      );
    }
    return embedFeatures(network, features, 1);
  }

  async textFeatures(modelId: string, text: string): Promise<Float32Array> {
    const { text: lsa } = await this.load(modelId, 'text');
    if (!lsa) throw new AppError('BAD_USER_INPUT', 'The model has no text featuriser.');
    return lsa.featuriseOne(text);
  }
}
