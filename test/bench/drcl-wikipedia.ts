// DRCL benchmark with the reference protocol on a folder of .npy files (default: wikipedia-classic:
// 2,173 train; first 231 test rows = validation; remaining 462 = test). Prints mAP@all per
// direction and mean, SPL scores and the chosen prior, seconds per epoch for SPL and RSC, achieved
// GFLOPS (dense-layer FLOPs / wall time), CPU seconds per epoch (all threads: less sensitive to a
// shared machine's load than wall time), peak RSS, the backend and the load average.
//
//   npx tsx test/bench/drcl-wikipedia.ts [--data DIR] [--modalities image,text]
//       [--validation-from-test 231] [--spl-epochs 100] [--rsc-epochs 100] [--lr image=5e-4,text=5e-4]
//       [--hidden 4096,4096] [--dim 2048] [--batch 1024] [--no-fused] [--parallel] [--json FILE]
//       [--lr-grid 1e-4,5e-4,1e-3] [--no-openblas] [--blas-threads N]
//
// Matrix products run on OpenBLAS when it loads (backend `wasm+openblas`; 2 threads, or 1 per
// process with --parallel); --no-openblas measures the plain WASM kernels.
// --lr-grid trains SPL once, then RSC once per learning rate (shared by the modalities) and keeps
// the rate with the best mean mAP on the *validation* split; only that model is scored on test.
// --parallel trains the modalities in separate processes (one WASM thread each), as separate
// workers of the platform would: SPL per modality → prior → RSC per modality; with --lr-grid, RSC
// once per rate. --reuse DIR (with --parallel) keeps each process's output in DIR and takes SPL's
// (and any rate's RSC) from there when present: a grid can be widened without training them again
// (only valid for the same data, seed and every other flag).
import { fork } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  assembleModel,
  choosePrior,
  decodeBundle,
  type DrclConfig,
  embedModality,
  encodeBundle,
  type EpochEvent,
  evaluateAllDirections,
  getConfig,
  initBackend,
  type PriorResult,
  randomRankingMap,
  type RetrievalSet,
  type RscResult,
  type SplCandidateResult,
  trainDrcl,
  trainModality,
  trainPriorCandidates,
  type TrainingCallbacks,
} from '@concord/drcl';
import {
  drclArgsFromFlags,
  formatModelReport,
  loadNpyDataset,
  TRAINING_FLAGS,
} from '@concord/drcl/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    ...TRAINING_FLAGS,
    data: {
      type: 'string',
      default: path.resolve(here, '../../../shared/datasets/wikipedia-classic'),
    },
    modalities: { type: 'string', default: 'image,text' },
    'validation-from-test': { type: 'string', default: '231' },
    'no-fused': { type: 'boolean', default: false },
    parallel: { type: 'boolean', default: false },
    'no-openblas': { type: 'boolean', default: false },
    'blas-threads': { type: 'string' },
    'lr-grid': { type: 'string' },
    reuse: { type: 'string' },
    json: { type: 'string' },
    // internal: a child process of --parallel
    role: { type: 'string' },
    unit: { type: 'string' },
    io: { type: 'string' },
  },
});

const modalities = flags.modalities.split(',');
const args = {
  splEpochs: 100,
  rscEpochs: 100,
  rscLearningRates: Object.fromEntries(modalities.map((m) => [m, 5e-4])),
  ...drclArgsFromFlags(flags),
};
const config = getConfig(args);
const fused = !flags['no-fused'];
const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
/** One process per modality with --parallel: each gets one OpenBLAS thread of the 2 cores. */
const backendOptions = (child: boolean) => ({
  openblas: !flags['no-openblas'],
  ...(flags['blas-threads']
    ? { blasThreads: Number(flags['blas-threads']) }
    : child
      ? { blasThreads: 1 }
      : {}),
});
const load = () =>
  loadNpyDataset({
    dir: flags.data,
    modalities,
    validationFromTest: Number(flags['validation-from-test']),
  });

/** Dense-layer FLOPs: 2·n·Σ in·out forward; training steps count 3× (forward + backward). */
function layerFlops(inputDim: number, c: DrclConfig): number {
  const sizes = [inputDim, ...c.hiddenSizes, c.embeddingDim];
  let s = 0;
  for (let i = 0; i + 1 < sizes.length; i++) s += sizes[i]! * sizes[i + 1]!;
  return 2 * s;
}

interface EpochRecord {
  stage: 'spl' | 'rsc';
  unit: string;
  epoch: number;
  seconds: number;
  /** CPU time of this process (all threads) since the previous epoch ended. */
  cpuSeconds: number;
  flops: number;
}

function recorder(dims: Record<string, number>, counts: Record<string, [number, number]>) {
  const epochs: EpochRecord[] = [];
  let lastCpu = process.cpuUsage();
  const onEpochEnd = (e: EpochEvent) => {
    const modality = e.stage === 'spl' ? e.modality : e.modality;
    const per = layerFlops(dims[modality]!, config);
    const [train, val] = counts[modality]!;
    const steps = e.batches * config.batchSize;
    const flops = e.stage === 'spl' ? 3 * per * steps + per * train : 3 * per * steps + per * val;
    const unit = e.stage === 'spl' ? e.candidate : e.modality;
    const cpu = process.cpuUsage();
    const cpuSeconds = (cpu.user + cpu.system - (lastCpu.user + lastCpu.system)) / 1e6;
    lastCpu = cpu;
    epochs.push({ stage: e.stage, unit, epoch: e.epoch, seconds: e.seconds, cpuSeconds, flops });
    const detail =
      e.stage === 'spl'
        ? `S=${e.qualityScore.toFixed(4)}`
        : `loss=${e.loss.total.toFixed(4)} val=${e.validationLoss?.total.toFixed(4) ?? '-'}`;
    console.log(
      `${e.stage} ${unit} epoch ${e.epoch} ${detail} ${e.seconds.toFixed(2)}s (cpu ${cpuSeconds.toFixed(2)}s) ${(flops / e.seconds / 1e9).toFixed(1)} GFLOPS`,
    );
  };
  return { epochs, onEpochEnd };
}

async function runChild(): Promise<void> {
  await initBackend(backendOptions(true));
  const { dataset } = load();
  const modality = dataset.modalities.find((m) => m.name === flags.unit)!;
  const dims = { [modality.name]: modality.train.dim };
  const counts = {
    [modality.name]: [
      modality.train.labels.length / dataset.numClasses,
      (modality.validation?.labels.length ?? 0) / dataset.numClasses,
    ] as [number, number],
  };
  const rec = recorder(dims, counts);
  const callbacks: TrainingCallbacks = { onEpochEnd: rec.onEpochEnd };
  const io = flags.io!;
  if (flags.role === 'spl') {
    const results = await trainPriorCandidates(modality, dataset.numClasses, args, {
      callbacks,
      fused,
    });
    writeFileSync(io, encodeBundle({ results, epochs: rec.epochs }));
  } else {
    const prior = decodeBundle(readFileSync(io)) as PriorResult;
    const result = await trainModality(modality, prior, dataset.numClasses, args, {
      callbacks,
      fused,
    });
    writeFileSync(io, encodeBundle({ result, epochs: rec.epochs }));
  }
}

/** Mean mAP of a model over the validation split (what learning rates are chosen by). */
function validationMap(
  model: ReturnType<typeof assembleModel>,
  data: { name: string; validation?: { features: Float32Array; labels: Float32Array } }[],
): number {
  const sets: Record<string, RetrievalSet> = {};
  for (const m of data) {
    sets[m.name] = {
      embeddings: embedModality(model, m.name, m.validation!.features),
      dim: config.embeddingDim,
      labels: m.validation!.labels,
      numClasses: model.numClasses,
    };
  }
  return evaluateAllDirections(sets).meanMap;
}

/** `extra` flags come last, so they override the parent's (parseArgs keeps the last value). */
function forkUnit(
  role: 'spl' | 'rsc',
  unit: string,
  io: string,
  extra: string[] = [],
): Promise<void> {
  const childArgs = [
    ...process.argv.slice(2),
    ...extra,
    '--role',
    role,
    '--unit',
    unit,
    '--io',
    io,
  ];
  const child = fork(fileURLToPath(import.meta.url), childArgs, { execArgv: process.execArgv });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${role} ${unit}: exit ${code}`)),
    );
  });
}

async function runParent(): Promise<void> {
  const info = await initBackend(backendOptions(false));
  const loadAtStart = loadAverage();
  const { dataset, test } = load();
  const dims = Object.fromEntries(dataset.modalities.map((m) => [m.name, m.train.dim]));
  const counts = Object.fromEntries(
    dataset.modalities.map((m) => [
      m.name,
      [
        m.train.labels.length / dataset.numClasses,
        (m.validation?.labels.length ?? 0) / dataset.numClasses,
      ] as [number, number],
    ]),
  );
  console.log(
    `backend ${info.name} simd=${info.simd} threads=${info.threads} ${info.notes.join('; ')}`,
  );
  if (info.blas) console.log(`blas ${info.blas.library} threads=${info.blas.threads}`);
  console.log(`load average at start ${loadAtStart}`);
  console.log(`config ${JSON.stringify(config)} fused=${fused} parallel=${flags.parallel}`);
  const started = performance.now();
  let epochs: EpochRecord[] = [];
  let model;
  if (flags.parallel) {
    const dir = flags.reuse ?? mkdtempSync(path.join(tmpdir(), 'drcl-bench-'));
    mkdirSync(dir, { recursive: true });
    const file = (role: string, m: string) => path.join(dir, `${role}-${m}.bin`);
    const splStart = performance.now();
    const splDone = modalities.every((m) => existsSync(file('spl', m)));
    if (splDone) console.log(`SPL taken from ${dir}`);
    else await Promise.all(modalities.map((m) => forkUnit('spl', m, file('spl', m))));
    const splWall = (performance.now() - splStart) / 1000;
    const spl: SplCandidateResult[] = [];
    for (const m of modalities) {
      const out = decodeBundle(readFileSync(file('spl', m))) as {
        results: SplCandidateResult[];
        epochs: EpochRecord[];
      };
      spl.push(...out.results);
      epochs.push(...out.epochs);
    }
    const prior = choosePrior(spl, args, dataset.numClasses);
    const rates = flags['lr-grid']?.split(',').map(Number) ?? [null];
    let best: { lr: number | null; map: number; rsc: RscResult[]; wall: number } | null = null;
    for (const lr of rates) {
      const tag = (m: string) => (lr === null ? m : `${m}-lr${lr}`);
      const lrFlags = lr === null ? [] : ['--lr', modalities.map((m) => `${m}=${lr}`).join(',')];
      const rscStart = performance.now();
      await Promise.all(
        modalities.map(async (m) => {
          if (existsSync(file('rsc-result', tag(m)))) return;
          writeFileSync(file('rsc-prior', tag(m)), encodeBundle(prior));
          await forkUnit('rsc', m, file('rsc-prior', tag(m)), lrFlags);
          renameSync(file('rsc-prior', tag(m)), file('rsc-result', tag(m)));
        }),
      );
      const wall = (performance.now() - rscStart) / 1000;
      const rsc: RscResult[] = [];
      for (const m of modalities) {
        const out = decodeBundle(readFileSync(file('rsc-result', tag(m)))) as {
          result: RscResult;
          epochs: EpochRecord[];
        };
        rsc.push(out.result);
        epochs.push(...out.epochs);
      }
      const rscArgs =
        lr === null
          ? args
          : { ...args, rscLearningRates: Object.fromEntries(modalities.map((m) => [m, lr])) };
      const candidate = assembleModel(getConfig(rscArgs), dataset.numClasses, prior, spl, rsc);
      const map = validationMap(candidate, dataset.modalities);
      if (lr !== null) console.log(`lr ${lr}: validation mean mAP ${map.toFixed(4)}`);
      if (!best || map > best.map) best = { lr, map, rsc, wall };
    }
    if (best!.lr !== null)
      console.log(
        `chosen on validation: lr ${best!.lr} (validation mean mAP ${best!.map.toFixed(4)})`,
      );
    const chosenLr = best!.lr;
    const chosenArgs =
      chosenLr === null
        ? args
        : { ...args, rscLearningRates: Object.fromEntries(modalities.map((m) => [m, chosenLr])) };
    model = assembleModel(getConfig(chosenArgs), dataset.numClasses, prior, spl, best!.rsc);
    console.log(
      `wall: SPL ${splWall.toFixed(1)}s (${(splWall / config.splEpochs).toFixed(2)} s/epoch, all modalities)${splDone ? ' (reused)' : ''}, RSC of the chosen rate ${best!.wall.toFixed(1)}s (${(best!.wall / config.rscEpochs).toFixed(2)} s/epoch)`,
    );
  } else if (flags['lr-grid']) {
    const rec = recorder(dims, counts);
    const callbacks = { onEpochEnd: rec.onEpochEnd };
    const spl: SplCandidateResult[] = [];
    for (const m of dataset.modalities) {
      spl.push(...(await trainPriorCandidates(m, dataset.numClasses, args, { callbacks, fused })));
    }
    const prior = choosePrior(spl, args, dataset.numClasses);
    let best: { lr: number; map: number; rsc: RscResult[] } | null = null;
    for (const lr of flags['lr-grid'].split(',').map(Number)) {
      const rscArgs = {
        ...args,
        rscLearningRates: Object.fromEntries(modalities.map((m) => [m, lr])),
      };
      const rsc: RscResult[] = [];
      for (const m of dataset.modalities) {
        rsc.push(await trainModality(m, prior, dataset.numClasses, rscArgs, { callbacks, fused }));
      }
      const candidate = assembleModel(getConfig(rscArgs), dataset.numClasses, prior, spl, rsc);
      const valMap = validationMap(candidate, dataset.modalities);
      console.log(`lr ${lr}: validation mean mAP ${valMap.toFixed(4)}`);
      if (!best || valMap > best.map) best = { lr, map: valMap, rsc };
    }
    console.log(
      `chosen on validation: lr ${best!.lr} (validation mean mAP ${best!.map.toFixed(4)})`,
    );
    const chosenArgs = {
      ...args,
      rscLearningRates: Object.fromEntries(modalities.map((m) => [m, best!.lr])),
    };
    model = assembleModel(getConfig(chosenArgs), dataset.numClasses, prior, spl, best!.rsc);
    epochs = rec.epochs;
  } else {
    const rec = recorder(dims, counts);
    model = await trainDrcl(dataset, args, { fused, callbacks: { onEpochEnd: rec.onEpochEnd } });
    epochs = rec.epochs;
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const sets: Record<string, RetrievalSet> = {};
  for (const m of modalities) {
    sets[m] = {
      embeddings: embedModality(model, m, test[m]!.features),
      dim: config.embeddingDim,
      labels: test[m]!.labels,
      numClasses: dataset.numClasses,
    };
  }
  const report = evaluateAllDirections(sets);
  // Validation mAP (first rows of test): what learning rates are chosen by, across runs.
  const valSets: Record<string, RetrievalSet> = {};
  for (const m of dataset.modalities) {
    if (!m.validation) continue;
    valSets[m.name] = {
      embeddings: embedModality(model, m.name, m.validation.features),
      dim: config.embeddingDim,
      labels: m.validation.labels,
      numClasses: dataset.numClasses,
    };
  }
  const validationMeanMap =
    Object.keys(valSets).length === modalities.length
      ? evaluateAllDirections(valSets).meanMap
      : null;
  const [a, b] = modalities as [string, string];
  const summary = (stage: 'spl' | 'rsc') => {
    // SPL epoch 0 makes no update (q = 0): timed separately.
    const rows = epochs.filter((e) => e.stage === stage && !(stage === 'spl' && e.epoch === 0));
    const seconds = rows.reduce((s, e) => s + e.seconds, 0);
    const flops = rows.reduce((s, e) => s + e.flops, 0);
    const cpuSeconds = rows.reduce((s, e) => s + e.cpuSeconds, 0);
    const runs = stage === 'rsc' && flags['lr-grid'] ? flags['lr-grid'].split(',').length : 1;
    const epochsPerUnit = (stage === 'spl' ? config.splEpochs - 1 : config.rscEpochs) * runs;
    return {
      secondsPerEpochAllModalities: seconds / Math.max(1, epochsPerUnit),
      cpuSecondsPerEpochAllModalities: cpuSeconds / Math.max(1, epochsPerUnit),
      gflops: flops / seconds / 1e9,
    };
  };
  const result = {
    backend: info,
    config,
    fused,
    parallel: flags.parallel,
    map: Object.fromEntries(Object.entries(report.directions).map(([k, v]) => [k, v.map])),
    meanMap: report.meanMap,
    validationMeanMap,
    randomMap: randomRankingMap(sets[a]!, sets[b]!),
    prior: {
      candidate: model.prior.candidate,
      score: model.prior.score,
      selection: model.prior.selection,
    },
    splScores: Object.fromEntries(model.report.spl.map((s) => [s.id, s.bestScore])),
    rscBestEpoch: Object.fromEntries(model.report.rsc.map((r) => [r.modality, r.bestEpoch])),
    spl: summary('spl'),
    rsc: summary('rsc'),
    totalSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    loadAverage: { start: loadAtStart, end: loadAverage() },
  };
  console.log(formatModelReport(model));
  for (const [k, v] of Object.entries(result.map)) console.log(`mAP@all ${k}: ${v.toFixed(4)}`);
  console.log(
    `mean mAP: ${result.meanMap.toFixed(4)} (random ranking ${result.randomMap.toFixed(4)})`,
  );
  console.log(
    `SPL: ${result.spl.secondsPerEpochAllModalities.toFixed(2)} s/epoch (sum over modalities; CPU ${result.spl.cpuSecondsPerEpochAllModalities.toFixed(2)} s), ${result.spl.gflops.toFixed(1)} GFLOPS`,
  );
  console.log(
    `RSC: ${result.rsc.secondsPerEpochAllModalities.toFixed(2)} s/epoch (sum over modalities; CPU ${result.rsc.cpuSecondsPerEpochAllModalities.toFixed(2)} s), ${result.rsc.gflops.toFixed(1)} GFLOPS`,
  );
  console.log(
    `total ${totalSeconds.toFixed(1)} s; peak RSS of this process ${result.peakRssMiB.toFixed(0)} MiB`,
  );
  console.log(`validation mean mAP: ${validationMeanMap?.toFixed(4) ?? '-'}`);
  console.log(`load average at start ${loadAtStart}, at end ${result.loadAverage.end}`);
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 2));
}

if (flags.role) await runChild();
else await runParent();
