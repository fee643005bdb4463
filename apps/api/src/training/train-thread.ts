/**
 * The training thread: trains DRCL off the API's event loop, reports every epoch, waits until
 * each checkpoint is persisted before going on, then embeds every item and evaluates the
 * held-out split. Pure compute: the database stays on the main thread.
 */
import { parentPort } from 'node:worker_threads';
import {
  decodeCheckpoint,
  embedModality,
  encodeBundle,
  encodeCheckpoint,
  evaluateAllDirections,
  gatherRows,
  initBackend,
  TrainingCancelledError,
  trainDrcl,
  type RetrievalSet,
} from '@concord/drcl';
import type { FromThread, StartMessage, ToThread } from './protocol.ts';

const port = parentPort!;
const controller = new AbortController();
const acks = new Map<number, () => void>();
let nextId = 1;

function send(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (message: ToThread) => {
  if (message.type === 'start') void run(message);
  else if (message.type === 'ack') acks.get(message.id)?.();
  else controller.abort(new Error('cancelled'));
});

async function run(start: StartMessage): Promise<void> {
  try {
    const backend = await initBackend();
    send({
      type: 'log',
      message: `training on the ${backend.name} backend${backend.simd ? ' (SIMD)' : ''}`,
    });
    const model = await trainDrcl(
      {
        numClasses: start.numClasses,
        modalities: start.modalities.map((m) => ({
          name: m.name,
          train: m.train,
          ...(m.validation ? { validation: m.validation } : {}),
        })),
      },
      start.args,
      {
        signal: controller.signal,
        ...(start.resume ? { resumeFrom: decodeCheckpoint(start.resume) } : {}),
        callbacks: {
          onEpochEnd: (event) => send({ type: 'epoch', event }),
          onPriorSelected: (event) => send({ type: 'prior', event }),
          onUnit: (event) => send({ type: 'unit', event }),
          onCheckpoint: (checkpoint) =>
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
        },
      },
    );
    const embeddings: Record<string, Float32Array> = {};
    const sets: Record<string, RetrievalSet> = {};
    for (const m of start.modalities) {
      const all = embedModality(model, m.name, m.all.features);
      embeddings[m.name] = all;
      const d = model.config.embeddingDim;
      sets[m.name] = {
        embeddings: gatherRows(all, d, m.test.rows),
        dim: d,
        labels: m.test.labels,
        numClasses: start.numClasses,
        siteIds: m.test.siteIds,
      };
    }
    const report = evaluateAllDirections(sets);
    const metrics = {
      meanMap: report.meanMap,
      directions: Object.fromEntries(
        Object.entries(report.directions).map(([name, r]) => [
          name,
          {
            map: r.map,
            queries: r.queries,
            precisionAtK: r.precisionAtK,
            perClass: r.perClass,
            perSite: r.perSite,
          },
        ]),
      ),
      testItems: Object.fromEntries(start.modalities.map((m) => [m.name, m.test.rows.length])),
    };
    const priorSource: Record<string, unknown> = { ...model.prior };
    delete priorSource.w;
    delete priorSource.pinv;
    send({
      type: 'done',
      output: {
        prior: encodeBundle(model.prior),
        priorSource: { ...priorSource },
        config: { ...model.config },
        networks: Object.fromEntries(
          Object.entries(model.networks).map(([name, n]) => [name, encodeBundle(n)]),
        ),
        embeddings,
        dimension: model.config.embeddingDim,
        metrics,
      },
    });
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
