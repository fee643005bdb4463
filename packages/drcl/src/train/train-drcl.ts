// The whole method: SPL over every prior candidate → prior selection (W, W⁺) → RSC for every
// modality. Also `trainModality`: one modality alone against a saved prior.
import * as tf from '@tensorflow/tfjs-core';
import { assertTrainingBackend } from '../backend.ts';
import { type DrclArgs, type DrclConfig, getConfig } from '../config.ts';
import { type DrclDataset, type ModalityData, validateSplit } from '../data.ts';
import { orthonormalColumns } from '../linalg/prior-matrix.ts';
import type { DrclModel } from '../model.ts';
import { Rng } from '../random.ts';
import { type Checkpoint, emptyCheckpoint, type UnitState } from './checkpoint.ts';
import type { UnitContext } from './context.ts';
import type { TrainingCallbacks } from './events.ts';
import { buildPriorCandidates, selectPrior } from './prior.ts';
import type { PriorResult, RscResult, SplCandidateResult } from './results.ts';
import { trainRscModality } from './rsc.ts';
import { trainSplCandidate } from './spl.ts';

export interface TrainOptions {
  callbacks?: TrainingCallbacks;
  signal?: AbortSignal;
  /** Continue a run from a checkpoint (the dataset must be the same). */
  resumeFrom?: Checkpoint;
  /** Emit `onCheckpoint` every this many epochs (and at every unit's last epoch). Default 1. */
  checkpointEvery?: number;
  /** Use tf.fused.matMul for Linear+bias+ReLU (default true). */
  fused?: boolean;
  /** Permit the pure-JS cpu backend (tests on tiny networks only). */
  allowCpuBackend?: boolean;
}

/** W0: D×C orthonormal columns, from the run's seed. */
export function initialPrior(config: DrclConfig, numClasses: number): Float32Array {
  const rng = Rng.derive(config.seed, 'w0');
  return Float32Array.from(orthonormalColumns(config.embeddingDim, numClasses, rng));
}

export async function trainDrcl(
  dataset: DrclDataset,
  args: DrclArgs,
  options: TrainOptions = {},
): Promise<DrclModel> {
  assertTrainingBackend(options.allowCpuBackend);
  const config = options.resumeFrom?.config ?? getConfig(args);
  const { numClasses, modalities } = dataset;
  if (modalities.length < 2) throw new Error('DRCL needs at least two modalities');
  if (new Set(modalities.map((m) => m.name)).size !== modalities.length) {
    throw new Error('modality names must be unique');
  }
  for (const m of modalities) checkModality(m, numClasses);
  const state: Checkpoint =
    options.resumeFrom ??
    emptyCheckpoint(
      config,
      numClasses,
      modalities.map((m) => m.name),
    );
  if (state.modalities.join('\u0000') !== modalities.map((m) => m.name).join('\u0000')) {
    throw new Error('the checkpoint was taken on different modalities');
  }
  const ctx = unitContext(config, numClasses, options, (current) => ({ ...state, current }));

  const w0 = initialPrior(config, numClasses);
  for (const candidate of buildPriorCandidates(modalities, numClasses, config)) {
    if (state.spl.some((r) => r.id === candidate.id)) continue;
    const resume = takeResume(state, 'spl', candidate.id);
    const started = performance.now();
    await ctx.callbacks.onUnit?.({ stage: 'spl', unit: candidate.id, kind: 'start', seconds: 0 });
    state.spl.push(await trainSplCandidate(ctx, candidate, w0, resume));
    state.current = null;
    const seconds = (performance.now() - started) / 1000;
    await ctx.callbacks.onUnit?.({ stage: 'spl', unit: candidate.id, kind: 'end', seconds });
  }

  if (!state.prior) {
    state.prior = selectPrior(state.spl, config, numClasses);
    const p = state.prior;
    await ctx.callbacks.onPriorSelected?.({
      candidate: p.candidate,
      modality: p.modality,
      site: p.site,
      score: p.score,
      epoch: p.epoch,
      selection: p.selection,
      scores: Object.fromEntries(state.spl.map((r) => [r.id, r.bestScore])),
      pinvError: p.pinvError,
    });
  }

  for (const modality of modalities) {
    if (state.rsc.some((r) => r.modality === modality.name)) continue;
    state.rsc.push(
      await runRscUnit(ctx, modality, state.prior, takeResume(state, 'rsc', modality.name)),
    );
    state.current = null;
  }
  return assembleModel(config, numClasses, state.prior, state.spl, state.rsc);
}

/**
 * SPL for one modality alone: its prior candidate(s) (one, or one per site with enough items).
 * Results equal those of `trainDrcl` (each candidate has its own seeded stream), so a driver can
 * train modalities on different workers and then call `choosePrior` on all results.
 */
export async function trainPriorCandidates(
  modality: ModalityData,
  numClasses: number,
  args: DrclArgs,
  options: Omit<TrainOptions, 'resumeFrom'> = {},
): Promise<SplCandidateResult[]> {
  assertTrainingBackend(options.allowCpuBackend);
  const config = getConfig(args);
  checkModality(modality, numClasses);
  const ctx = unitContext(config, numClasses, options, unitSnapshot(config, numClasses, modality));
  const w0 = initialPrior(config, numClasses);
  const results: SplCandidateResult[] = [];
  for (const candidate of buildPriorCandidates([modality], numClasses, config)) {
    results.push(await trainSplCandidate(ctx, candidate, w0, null));
  }
  return results;
}

/** The ids of a modality's prior candidates (one, or one per site with enough items). */
export function priorCandidateIds(
  modality: ModalityData,
  numClasses: number,
  args: DrclArgs,
): string[] {
  return buildPriorCandidates([modality], numClasses, getConfig(args)).map((c) => c.id);
}

/**
 * One prior candidate alone (by id), optionally resumed from its own checkpointed unit state:
 * the unit a job queue hands to one worker. Results equal those of `trainDrcl`.
 */
export async function trainPriorCandidate(
  modality: ModalityData,
  candidateId: string,
  numClasses: number,
  args: DrclArgs,
  options: Omit<TrainOptions, 'resumeFrom'> & { resumeFrom?: UnitState } = {},
): Promise<SplCandidateResult> {
  assertTrainingBackend(options.allowCpuBackend);
  const config = getConfig(args);
  checkModality(modality, numClasses);
  const candidate = buildPriorCandidates([modality], numClasses, config).find(
    (c) => c.id === candidateId,
  );
  if (!candidate) throw new Error(`${modality.name} has no prior candidate ${candidateId}`);
  const ctx = unitContext(config, numClasses, options, unitSnapshot(config, numClasses, modality));
  const resume = options.resumeFrom;
  return trainSplCandidate(
    ctx,
    candidate,
    initialPrior(config, numClasses),
    resume && resume.kind === 'spl' && resume.id === candidateId ? resume : null,
  );
}

/** The prior from SPL results of every modality (highest best quality score). */
export function choosePrior(
  results: SplCandidateResult[],
  args: DrclArgs,
  numClasses: number,
): PriorResult {
  return selectPrior(results, getConfig(args), numClasses);
}

/**
 * Trains one modality alone against a saved prior (e.g. `model.prior`), without touching the
 * others; add the result to a model with `withModality`.
 */
export async function trainModality(
  modality: ModalityData,
  prior: PriorResult,
  numClasses: number,
  args: DrclArgs,
  options: Omit<TrainOptions, 'resumeFrom'> & { resumeFrom?: UnitState } = {},
): Promise<RscResult> {
  assertTrainingBackend(options.allowCpuBackend);
  const config = getConfig(args);
  checkModality(modality, numClasses);
  const ctx = unitContext(
    config,
    numClasses,
    options,
    unitSnapshot(config, numClasses, modality, prior),
  );
  return runRscUnit(ctx, modality, prior, options.resumeFrom ?? null);
}

async function runRscUnit(
  ctx: UnitContext,
  modality: ModalityData,
  prior: PriorResult,
  resume: UnitState | null,
): Promise<RscResult> {
  const started = performance.now();
  await ctx.callbacks.onUnit?.({ stage: 'rsc', unit: modality.name, kind: 'start', seconds: 0 });
  const result = await trainRscModality(ctx, modality, prior, resume);
  const seconds = (performance.now() - started) / 1000;
  await ctx.callbacks.onUnit?.({ stage: 'rsc', unit: modality.name, kind: 'end', seconds });
  return result;
}

function unitContext(
  config: DrclConfig,
  numClasses: number,
  options: TrainOptions | Omit<TrainOptions, 'resumeFrom'>,
  snapshot: (current: UnitState) => Checkpoint,
): UnitContext {
  return {
    config,
    numClasses,
    signal: options.signal,
    callbacks: options.callbacks ?? {},
    fused: options.fused ?? true,
    checkpointEvery: Math.max(1, options.checkpointEvery ?? 1),
    snapshot,
  };
}

/** Checkpoints of a unit trained alone: one modality, nothing else finished. */
function unitSnapshot(
  config: DrclConfig,
  numClasses: number,
  modality: ModalityData,
  prior: PriorResult | null = null,
): (current: UnitState) => Checkpoint {
  return (current) => ({ ...emptyCheckpoint(config, numClasses, [modality.name], prior), current });
}

function takeResume(state: Checkpoint, kind: 'spl' | 'rsc', id: string): UnitState | null {
  const current = state.current;
  return current && current.kind === kind && current.id === id ? current : null;
}

function checkModality(m: ModalityData, numClasses: number): void {
  validateSplit(m.train, numClasses, `${m.name}/train`);
  if (m.validation) {
    validateSplit(m.validation, numClasses, `${m.name}/validation`);
    if (m.validation.dim !== m.train.dim) throw new Error(`${m.name}: validation dim differs`);
  }
}

/** A model from finished parts (for drivers that train units on separate workers). */
export function assembleModel(
  config: DrclConfig,
  numClasses: number,
  prior: PriorResult,
  spl: SplCandidateResult[],
  rsc: RscResult[],
): DrclModel {
  return {
    format: 'concord-drcl-model',
    version: 1,
    config,
    numClasses,
    prior,
    networks: Object.fromEntries(rsc.map((r) => [r.modality, r.network])),
    report: {
      spl: spl.map(({ lastW: _l, bestW: _b, ...rest }) => rest),
      rsc: rsc.map(({ network: _n, ...rest }) => rest),
    },
  };
}

/** Number of live tensors (for leak checks). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
