// Locations of test data, resolved from this package so tests run from any working directory.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'features');
/** `shared/` sits beside the repository checkout (as in CI). */
export const SHARED_DATASETS = join(REPO_ROOT, '..', 'shared', 'datasets');
export const PASCAL = join(SHARED_DATASETS, 'pascal-sentences');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}
