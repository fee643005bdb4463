/**
 * Training configs the API suites share: small enough to train in seconds on 2 cores, large
 * enough for the emoji test corpus's classes to separate. (Suites import it from here: importing
 * from a test file would run that file's suites too.)
 */
export const TINY_CONFIG = {
  hiddenSizes: [64],
  splEpochs: 10,
  rscEpochs: 10,
  batchSize: 16,
  splLearningRate: 0.01,
  rscLearningRate: 0.01,
  textDimensions: 24,
  seed: 1,
};
