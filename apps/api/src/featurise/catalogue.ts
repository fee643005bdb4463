/**
 * The image featurisers a dataset may be created with: the CNNs built into nsfwjs, and the TF.js
 * models an operator put in CONCORD_MODELS_DIR (`<dir>/<name>/model.json` → `user/<name>`). An
 * API caller names one by id; a path never comes from a caller, only names listed from that
 * folder, so no id can reach outside it.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILTIN_CNNS, createImageFeaturiser, type BuiltinCnnId } from '@concord/features';
import type { ImageFeaturiser } from '@concord/features';

/** What a thread needs to load one CNN (serialisable). */
export type ImageModelSpec =
  | { kind: 'builtin'; id: string; model: BuiltinCnnId }
  /** `stamp` changes when a file of the folder changes, so a cached model is reloaded. */
  | { kind: 'user'; id: string; name: string; dir: string; stamp: string };

export const BUILTIN_PREFIX = 'nsfwjs/';
export const USER_PREFIX = 'user/';

/** A folder name a user model may have: no separators, no dot segments, nothing hidden. */
const USER_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isBuiltinCnn(name: string): name is BuiltinCnnId {
  return Object.hasOwn(BUILTIN_CNNS, name);
}

export function isUserModelName(name: string): boolean {
  return USER_MODEL_NAME.test(name) && !name.includes('..');
}

export const builtinId = (model: BuiltinCnnId) => `${BUILTIN_PREFIX}${model}`;

/** The names of the user models in `modelsDir`: sub-folders holding a model.json, sorted. */
export async function listUserModels(modelsDir: string | null): Promise<string[]> {
  if (!modelsDir) return [];
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (!isUserModelName(entry.name)) continue;
    const json = await stat(join(modelsDir, entry.name, 'model.json')).catch(() => null);
    if (json?.isFile()) names.push(entry.name);
  }
  return names.sort();
}

/**
 * The spec of the featuriser `id`, or null when no such featuriser is offered (unknown builtin,
 * a name that is not a plain folder name, or no such model folder).
 */
export async function resolveImageModel(
  id: string,
  modelsDir: string | null,
): Promise<ImageModelSpec | null> {
  if (id.startsWith(BUILTIN_PREFIX)) {
    const model = id.slice(BUILTIN_PREFIX.length);
    return isBuiltinCnn(model) ? { kind: 'builtin', id, model } : null;
  }
  if (!id.startsWith(USER_PREFIX) || !modelsDir) return null;
  const name = id.slice(USER_PREFIX.length);
  if (!isUserModelName(name)) return null;
  const dir = join(modelsDir, name);
  const stamp = await folderStamp(dir);
  return stamp === null ? null : { kind: 'user', id, name, dir, stamp };
}

/** Names, sizes and modification times of a model folder's files; null without a model.json. */
async function folderStamp(dir: string): Promise<string | null> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries?.some((e) => e.name === 'model.json' && e.isFile())) return null;
  const hash = createHash('sha256');
  for (const entry of entries
    .filter((e) => e.isFile())
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const info = await stat(join(dir, entry.name)).catch(() => null);
    if (info) hash.update(`${entry.name}\0${info.size}\0${info.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Loads the CNN of a spec (in whichever thread calls it). */
export function loadImageModel(spec: ImageModelSpec): Promise<ImageFeaturiser> {
  return spec.kind === 'builtin'
    ? createImageFeaturiser({ kind: 'builtin', model: spec.model })
    : createImageFeaturiser({ kind: 'user', dir: spec.dir, name: spec.name });
}

/** The part of a spec that must match for a loaded model to be reused. */
export function cacheStamp(spec: ImageModelSpec): string {
  return spec.kind === 'user' ? spec.stamp : 'builtin';
}
