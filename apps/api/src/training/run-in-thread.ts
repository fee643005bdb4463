/**
 * Runs one task in a training thread and relays what it reports. Messages are handled one at a
 * time in order; a checkpoint is acknowledged only once `onCheckpoint` has stored it, so the
 * thread never runs ahead of what a retried job can resume from. Once handling one fails, no later
 * message is handled: a checkpoint stored after its epoch's record failed would let the retried
 * job resume past an epoch that was never recorded.
 */
import { Worker } from 'node:worker_threads';
import type { EpochEvent, StageEvent } from '@concord/drcl';
import type { FromThread, StartMessage, ToThread, TrainedOutput } from './protocol.ts';

export interface ThreadHooks {
  /** After every epoch; `true` asks the thread to stop (cancelled run, or the job's slice is up). */
  onEpoch(event: EpochEvent): Promise<boolean>;
  onCheckpoint(bytes: Uint8Array, label: string): Promise<void>;
  onUnit?(event: StageEvent): Promise<void>;
  onLog(message: string): Promise<void>;
}

export type ThreadOutcome =
  | { kind: 'result'; bytes: Uint8Array }
  | { kind: 'done'; output: TrainedOutput }
  | { kind: 'stopped' };

/**
 * `transfer`: buffers of `start` moved to the thread instead of copied (a unit's feature matrices);
 * the caller must not touch them afterwards, and each must be the whole buffer of arrays it owns.
 */
export async function runInThread(
  start: StartMessage,
  hooks: ThreadHooks,
  transfer: ArrayBuffer[] = [],
): Promise<ThreadOutcome> {
  const worker = new Worker(new URL('./train-thread.mjs', import.meta.url));
  let chain: Promise<unknown> = Promise.resolve();
  try {
    return await new Promise<ThreadOutcome>((resolve, reject) => {
      const post = (message: ToThread) => worker.postMessage(message);
      const handle = async (message: FromThread): Promise<void> => {
        switch (message.type) {
          case 'epoch':
            if (await hooks.onEpoch(message.event)) post({ type: 'abort' });
            return;
          case 'prior':
            return; // units never select the prior; the fan-in step does
          case 'unit':
            await hooks.onUnit?.(message.event);
            return;
          case 'checkpoint':
            await hooks.onCheckpoint(message.bytes, message.label);
            post({ type: 'ack', id: message.id });
            return;
          case 'log':
            await hooks.onLog(message.message);
            return;
          case 'result':
            resolve({ kind: 'result', bytes: message.bytes });
            return;
          case 'done':
            resolve({ kind: 'done', output: message.output });
            return;
          case 'cancelled':
            resolve({ kind: 'stopped' });
            return;
          case 'error':
            reject(new Error(`training failed: ${message.message}`));
            return;
        }
      };
      let failed = false;
      worker.on('message', (message: FromThread) => {
        chain = chain
          .then(() => (failed ? undefined : handle(message)))
          .catch((error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the training thread exited (${code})`)));
      worker.postMessage(start, transfer);
    });
  } finally {
    await chain.catch(() => undefined);
    await worker.terminate();
  }
}
