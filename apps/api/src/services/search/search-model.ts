/**
 * Which model a search page ranks with. A first page: `modelId`, else the dataset's active model.
 * A page with `after`: the model its cursor was made on (id and version), even when another
 * version was promoted since, so paging never switches models mid-way; when that model can no
 * longer answer (gone, failed, no embeddings left) or `modelId` names another one, the answer is
 * MODEL_CHANGED: start again without `after`.
 */
import { decodeSearchCursor, isDbError, type Dataset, type Model } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import { AppError, badInput, notFound } from '../../errors.ts';

const RESTART = 'Search again without after to start on the current model.';

export async function searchModelOf(
  deps: AppDeps,
  dataset: Pick<Dataset, 'id' | 'activeModelId'>,
  requestedId: string | null,
  after: string | null,
): Promise<Model> {
  const cursor = after ? decodeCursor(after) : null;
  if (!cursor) {
    const modelId = requestedId ?? dataset.activeModelId;
    if (!modelId)
      throw new AppError(
        'FAILED_PRECONDITION',
        'The dataset has no active model yet; train one first.',
      );
    const model = await deps.repos.models.findById(modelId);
    if (!model || model.datasetId !== dataset.id) throw notFound('model', modelId);
    return model;
  }
  const made = `The cursor continues a search on model v${cursor.modelVersion} (${cursor.modelId})`;
  if (requestedId && requestedId.toLowerCase() !== cursor.modelId)
    throw new AppError('MODEL_CHANGED', `${made}, not on modelId ${requestedId}. ${RESTART}`, [
      'modelId',
    ]);
  const model = await deps.repos.models.findById(cursor.modelId);
  // A cursor naming another dataset's model, or a version its model never had, was not made here.
  if (model && (model.datasetId !== dataset.id || model.version !== cursor.modelVersion))
    throw badInput('The `after` cursor is malformed.', ['after']);
  if (!model) throw new AppError('MODEL_CHANGED', `${made}, which is gone. ${RESTART}`, ['after']);
  if (model.status === 'FAILED' || !(await deps.db.embeddings.hasEmbeddings(model.id)))
    throw new AppError(
      'MODEL_CHANGED',
      `${made}, which ${model.status === 'FAILED' ? 'failed' : 'has no embeddings any more'}. ${RESTART}`,
      ['after'],
    );
  return model;
}

function decodeCursor(after: string) {
  try {
    return decodeSearchCursor(after);
  } catch (error) {
    if (isDbError(error)) throw badInput(error.message, ['after']);
    throw error;
  }
}
