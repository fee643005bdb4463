/**
 * A real TF.js layers model for tests of user image models, written as an operator would put it in
 * CONCORD_MODELS_DIR (`model.json` + a weight shard): a 1×1 convolution with kernel `scale`·I
 * followed by global average pooling, so its 3-d output is `scale` × the per-channel means of the
 * x/255 pixels of its 16 px input — known by arithmetic. The topology is the one tfjs-layers 4.22
 * saves for `sequential([conv2d(1×1, 3 filters, no bias), globalAveragePooling2d])`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const USER_MODEL_SIZE = 16;

const TOPOLOGY = {
  class_name: 'Sequential',
  config: {
    name: 'channel_means',
    layers: [
      {
        class_name: 'Conv2D',
        config: {
          filters: 3,
          kernel_initializer: { class_name: 'Zeros', config: {} },
          kernel_regularizer: null,
          kernel_constraint: null,
          kernel_size: [1, 1],
          strides: [1, 1],
          padding: 'valid',
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: 'linear',
          use_bias: false,
          bias_initializer: { class_name: 'Zeros', config: {} },
          bias_regularizer: null,
          activity_regularizer: null,
          bias_constraint: null,
          name: 'identity',
          trainable: true,
          batch_input_shape: [null, USER_MODEL_SIZE, USER_MODEL_SIZE, 3],
          dtype: 'float32',
        },
      },
      {
        class_name: 'GlobalAveragePooling2D',
        config: { data_format: 'channels_last', name: 'pool', trainable: true },
      },
    ],
  },
  keras_version: 'tfjs-layers 4.22.0',
  backend: 'tensor_flow.js',
};

/** Writes the model into `dir` (created); `scale` changes the weights and so the version. */
export async function writeChannelMeansModel(dir: string, scale = 1): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Kernel [1, 1, in, out], row-major: scale where in = out.
  const kernel = new Float32Array(9);
  for (let c = 0; c < 3; c++) kernel[c * 3 + c] = scale;
  const weights = [{ name: 'identity/kernel', shape: [1, 1, 3, 3], dtype: 'float32' }];
  await writeFile(
    join(dir, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      modelTopology: TOPOLOGY,
      weightsManifest: [{ paths: ['weights.bin'], weights }],
    }),
  );
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(kernel.buffer));
}
