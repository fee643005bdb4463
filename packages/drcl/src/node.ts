// Node-only helpers (file system): .npy datasets for the CLI and benchmarks.
export * from './node/npy-dataset.ts';
