/**
 * The training thread: runs one task off the event loop — an SPL prior candidate, one modality's
 * RSC, or the run's finish (assemble the model, embed every item; the held-out evaluation reads the
 * stored embeddings, `services/models/evaluate-models.ts`). Reports
 * every epoch and waits until each checkpoint is persisted before going on. Pure compute: the
 * database stays on the main thread.
 */
import { parentPort } from 'node:worker_threads';
import {
  assembleModel,
  decodeBundle,
  decodeCheckpoint,
  embedModality,
  encodeBundle,
  encodeCheckpoint,
  getConfig,
  initBackend,
  TrainingCancelledError,
  trainModality,
  trainPriorCandidate,
  type Checkpoint,
  type PriorResult,
  type RscResult,
  type SplCandidateResult,
  type TrainingCallbacks,
} from '@concord/drcl';
import type { FromThread, StartMessage, ThreadTask, ToThread, TrainedOutput } from './protocol.ts';

const port = parentPort!;
const controller = new AbortController();
const acks = new Map<number, () => void>();
let nextId = 1;

function send(message: FromThread): void {
  port.postMessage(message);
}

port.on('message', (message: ToThread) => {
  if (message.type === 'start') void run(message);
  else if (message.type === 'ack') acks.get(message.id)?.();
  else controller.abort(new Error('stopped'));
});

const callbacks: TrainingCallbacks = {
  onEpochEnd: (event) => send({ type: 'epoch', event }),
  onPriorSelected: (event) => send({ type: 'prior', event }),
  onUnit: (event) => send({ type: 'unit', event }),
  onCheckpoint: (checkpoint: Checkpoint) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      acks.set(id, () => {
        acks.delete(id);
        resolve();
      });
      const current = checkpoint.current;
      const label = current
        ? `${current.kind}:${current.id}@${current.nextEpoch}`
        : 'unit boundary';
      send({ type: 'checkpoint', id, bytes: encodeCheckpoint(checkpoint), label });
    }),
};

async function run(start: StartMessage): Promise<void> {
  try {
    const backend = await initBackend();
    if (start.task.kind !== 'finish')
      send({
        type: 'log',
        message: [
          `training on the ${backend.name} backend${backend.simd ? ' (SIMD)' : ''}`,
          ...(backend.blas
            ? [`${backend.blas.library} ${backend.blas.coreName}, ${backend.blas.threads} threads`]
            : []),
          ...backend.notes,
        ].join('; '),
      });
    await runTask(start, start.task);
  } catch (error) {
    if (error instanceof TrainingCancelledError || controller.signal.aborted)
      send({ type: 'cancelled' });
    else
      send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
  }
}

async function runTask(start: StartMessage, task: ThreadTask): Promise<void> {
  const options = { signal: controller.signal, callbacks };
  switch (task.kind) {
    case 'spl': {
      const resume = task.resume ? decodeCheckpoint(task.resume).current : null;
      const result = await trainPriorCandidate(
        task.modality,
        task.candidate,
        start.numClasses,
        start.args,
        { ...options, ...(resume ? { resumeFrom: resume } : {}) },
      );
      send({ type: 'result', bytes: encodeBundle(result) });
      return;
    }
    case 'rsc': {
      const resume = task.resume ? decodeCheckpoint(task.resume).current : null;
      const prior = decodeBundle(task.prior) as PriorResult;
      const result = await trainModality(task.modality, prior, start.numClasses, start.args, {
        ...options,
        ...(resume ? { resumeFrom: resume } : {}),
      });
      send({ type: 'result', bytes: encodeBundle(result) });
      return;
    }
    case 'finish':
      send({ type: 'done', output: finish(start, task) });
      return;
  }
}

function finish(start: StartMessage, task: Extract<ThreadTask, { kind: 'finish' }>): TrainedOutput {
  const spl = task.spl.map((bytes) => decodeBundle(bytes) as SplCandidateResult);
  const rsc = task.rsc.map((bytes) => decodeBundle(bytes) as RscResult);
  const prior = decodeBundle(task.prior) as PriorResult;
  const model = assembleModel(getConfig(start.args), start.numClasses, prior, spl, rsc);
  const embeddings: Record<string, Float32Array> = {};
  const d = model.config.embeddingDim;
  for (const m of task.modalities)
    embeddings[m.name] = embedModality(model, m.name, m.all.features);
  const priorSource: Record<string, unknown> = { ...model.prior };
  delete priorSource.w;
  delete priorSource.pinv;
  return {
    prior: encodeBundle(model.prior),
    priorSource,
    config: { ...model.config },
    networks: Object.fromEntries(
      Object.entries(model.networks).map(([name, n]) => [name, encodeBundle(n)]),
    ),
    embeddings,
    dimension: d,
  };
}
