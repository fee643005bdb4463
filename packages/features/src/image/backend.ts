import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Makes sure a fast TF.js backend is active. A backend already chosen by the host process
 * (`tensorflow` from tfjs-node where it installs, or `wasm`) is kept; otherwise WASM is selected.
 * The pure-JS `cpu` backend is never chosen on purpose: it is ~30× slower.
 */
export async function ensureTfBackend(): Promise<string> {
  await tf.ready();
  const current = tf.getBackend();
  if (current === 'tensorflow' || current === 'wasm') return current;
  if (!(await tf.setBackend('wasm')))
    throw new Error('could not initialise the TF.js WASM backend');
  await tf.ready();
  return tf.getBackend();
}
