// What each training unit produces (plain data: serialisable into models and checkpoints).
import type { NetworkWeights } from '../models/network.ts';

export interface SplCandidateResult {
  id: string;
  modality: string;
  site: number | null;
  itemCount: number;
  bestScore: number;
  bestEpoch: number;
  lastScore: number;
  /** W_k after the last epoch (the reference's prior). */
  lastW: Float32Array;
  /** W_k of the best epoch (null unless priorSelection is 'best-epoch'). */
  bestW: Float32Array | null;
  /** Quality score of every epoch. */
  scores: number[];
  /** Best-epoch score over all modality items and per site. */
  scoreAll: number;
  scoreBySite: Record<string, number>;
}

export interface PriorResult {
  candidate: string;
  modality: string;
  site: number | null;
  selection: 'last-epoch' | 'best-epoch';
  epoch: number;
  score: number;
  /** D×C row-major. */
  w: Float32Array;
  /** W⁺ = (WᵀW)⁻¹Wᵀ in float64, C×D row-major. */
  pinv: Float64Array;
  pinvError: number;
}

export interface RscResult {
  modality: string;
  learningRate: number;
  bestEpoch: number;
  bestValidationLoss: number | null;
  network: NetworkWeights;
  /** Total training loss (batch mean) per epoch and validation loss per epoch. */
  trainLoss: number[];
  validationLoss: number[];
}
