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
  /** The featuriser whose vectors the network takes (the model's LSA for text: `text`). */
  featuriserId: string;
}

/** What a model's network for one modality takes as input. */
export interface NetworkInput {
  featuriserId: string;
  /** The model's own fitted text featuriser, when the input is text. */
  text: LsaModel | null;
  inputDim: number;
}

const CACHE_LIMIT = 16;

export class ModelRuntime {
  private readonly cache = new Map<string, Promise<LoadedModality | null>>();

  constructor(private readonly repos: Repositories) {}

  /** The model's network for `modality`, decoded once; null when the model has none. */
  private find(modelId: string, modality: string): Promise<LoadedModality | null> {
    const key = `${modelId}:${modality}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = (async () => {
        const row = await this.repos.models.modality(modelId, modality);
        if (!row) return null;
        return {
          network: decodeBundle(row.weights) as NetworkWeights,
          text: row.featuriserState ? LsaModel.fromBytes(row.featuriserState) : null,
          featuriserId: row.featuriserId,
        };
      })();
      entry.catch(() => this.cache.delete(key));
      this.cache.set(key, entry);
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  private async load(modelId: string, modality: string): Promise<LoadedModality> {
    const loaded = await this.find(modelId, modality);
    if (!loaded) throw new AppError('BAD_USER_INPUT', `The model has no ${modality} network.`);
    return loaded;
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

  /** The input of the model's network for `modality`, or null when the model has none. */
  async inputOf(modelId: string, modality: string): Promise<NetworkInput | null> {
    const loaded = await this.find(modelId, modality);
    if (!loaded) return null;
    return {
      featuriserId: loaded.featuriserId,
      text: loaded.text,
      inputDim: loaded.network.inputDim,
    };
  }

  /** Embeds `features` (rows × the network's input size, row-major) in one pass. */
  async embedRows(
    modelId: string,
    modality: string,
    features: Float32Array,
  ): Promise<Float32Array> {
    const { network } = await this.load(modelId, modality);
    return embedFeatures(network, features);
  }

  async textFeatures(modelId: string, text: string): Promise<Float32Array> {
    const { text: lsa } = await this.load(modelId, 'text');
    if (!lsa) throw new AppError('BAD_USER_INPUT', 'The model has no text featuriser.');
    return lsa.featuriseOne(text);
  }
}
