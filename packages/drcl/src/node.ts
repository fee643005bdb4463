// Node-only helpers (file system): .npy datasets for the CLI and benchmarks.
export * from './node/npy-dataset.ts';
export { drclArgsFromFlags, parseRates, TRAINING_FLAGS } from './cli/args.ts';
export { formatModelReport, formatRetrievalReport } from './cli/report.ts';
