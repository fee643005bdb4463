// Public API of @concord/drcl.
export * from './config.ts';
export * from './backend.ts';
export { blasMatMulActive, setBlasMatMulEnabled } from './blas/blas-kernels.ts';
export * from './data.ts';
export * from './model.ts';
export { Rng } from './random.ts';
export {
  parseNpy,
  serializeNpy,
  toFloat32,
  toInt32,
  type NpyArray,
  type NpyDtype,
} from './io/npy.ts';
export {
  encodeBundle,
  decodeBundle,
  splitArrays,
  joinArrays,
  type SplitBundle,
} from './io/bundle.ts';
export { orthonormalColumns, pseudoInverse, pseudoInverseError } from './linalg/prior-matrix.ts';
export {
  ModalityNetwork,
  initNetworkWeights,
  l2Normalize,
  parameterCount,
  forwardFlops,
  type NetworkWeights,
  type LayerWeights,
} from './models/network.ts';
export { gceLoss, qualityScores, trueClassProbability } from './losses/gce.ts';
export { cos2, rscLoss, rscLossTerms, type RscLossTerms } from './losses/rsc-loss.ts';
export { mixFeatures, mixLabels, mixingMatrix } from './train/feature-augmentation.ts';
export {
  trainDrcl,
  trainModality,
  trainPriorCandidates,
  trainPriorCandidate,
  priorCandidateIds,
  assembleModel,
  choosePrior,
  initialPrior,
  liveTensors,
  type TrainOptions,
} from './train/train-drcl.ts';
export {
  encodeCheckpoint,
  decodeCheckpoint,
  type Checkpoint,
  type UnitState,
} from './train/checkpoint.ts';
export * from './train/events.ts';
export type { PriorResult, RscResult, SplCandidateResult } from './train/results.ts';
export * from './eval/retrieval.ts';
