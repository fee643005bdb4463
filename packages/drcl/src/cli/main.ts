// `drcl` — train, evaluate, embed and report from .npy files, without the platform running.
// See packages/drcl/README.md for the file layout and examples.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend } from '../backend.ts';
import { getConfig } from '../config.ts';
import { evaluateAllDirections, type RetrievalSet } from '../eval/retrieval.ts';
import { decodeModel, type DrclModel, embedModality, encodeModel } from '../model.ts';
import { loadNpyDataset, readNpyFile, writeNpyFile } from '../node/npy-dataset.ts';
import { toFloat32 } from '../io/npy.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint.ts';
import { trainDrcl } from '../train/train-drcl.ts';
import { drclArgsFromFlags, TRAINING_FLAGS } from './args.ts';
import { formatModelReport, formatRetrievalReport } from './report.ts';

const USAGE = `usage:
  drcl train    --data DIR --modalities image,text --out model.drcl [--validation-from-test N]
                [--hidden 4096,4096] [--dim 2048] [--batch 1024] [--spl-epochs 100] [--rsc-epochs 100]
                [--spl-lr 5e-4] [--lr image=5e-4,text=5e-4] [--lambda 0.9] [--seed 42]
                [--prior-selection last-epoch|best-epoch] [--prior-candidates modality|site-modality]
                [--min-site-items 1024] [--checkpoint FILE] [--resume FILE] [--quiet]
  drcl evaluate --model model.drcl --data DIR [--modalities image,text] [--validation-from-test N] [--k K]
  drcl embed    --model model.drcl --modality image --input features.npy --output embeddings.npy
  drcl report   --model model.drcl`;

const COMMON = {
  data: { type: 'string' },
  modalities: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  'validation-from-test': { type: 'string' },
  k: { type: 'string' },
  modality: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'string' },
  quiet: { type: 'boolean' },
  'allow-cpu': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values: flags } = parseArgs({
    args: rest,
    options: { ...COMMON, ...TRAINING_FLAGS },
    strict: true,
  });
  if (!command || flags.help) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const need = (name: keyof typeof flags): string => {
    const v = flags[name];
    if (typeof v !== 'string') throw new Error(`--${name} is required\n${USAGE}`);
    return v;
  };
  const readModel = () => decodeModel(readFileSync(need('model')));
  switch (command) {
    case 'report': {
      console.log(formatModelReport(readModel()));
      return 0;
    }
    case 'embed': {
      await backend(flags['allow-cpu']);
      const model = readModel();
      const input = readNpyFile(need('input'));
      const emb = embedModality(model, need('modality'), toFloat32(input));
      writeNpyFile(need('output'), emb, [input.shape[0]!, model.config.embeddingDim]);
      console.log(`wrote ${input.shape[0]}×${model.config.embeddingDim} embeddings`);
      return 0;
    }
    case 'evaluate': {
      await backend(flags['allow-cpu']);
      const model = readModel();
      const modalities = flags.modalities?.split(',') ?? Object.keys(model.networks);
      console.log(evaluateReport(model, need('data'), modalities, flags));
      return 0;
    }
    case 'train': {
      const info = await backend(flags['allow-cpu']);
      const modalities = need('modalities').split(',');
      const validationFromTest = Number(flags['validation-from-test'] ?? 0);
      const { dataset } = loadNpyDataset({ dir: need('data'), modalities, validationFromTest });
      const args = drclArgsFromFlags(flags);
      console.log(`backend ${info.name}${info.notes.length ? ` (${info.notes.join('; ')})` : ''}`);
      console.log(`config ${JSON.stringify(getConfig(args))}`);
      const checkpointFile = flags.checkpoint;
      const model = await trainDrcl(dataset, args, {
        ...(flags.resume ? { resumeFrom: decodeCheckpoint(readFileSync(flags.resume)) } : {}),
        callbacks: {
          onEpochEnd: (e) => {
            if (flags.quiet) return;
            if (e.stage === 'spl') {
              console.log(
                `spl ${e.candidate} epoch ${e.epoch} S=${e.qualityScore.toFixed(4)} loss=${e.trainLoss?.toFixed(4) ?? '-'} ${e.seconds.toFixed(2)}s`,
              );
            } else {
              console.log(
                `rsc ${e.modality} epoch ${e.epoch} loss=${e.loss.total.toFixed(4)} val=${e.validationLoss?.total.toFixed(4) ?? '-'} best=${e.bestEpoch} ${e.seconds.toFixed(2)}s`,
              );
            }
          },
          onPriorSelected: (e) => console.log(`prior ${e.candidate} ${JSON.stringify(e.scores)}`),
          ...(checkpointFile
            ? { onCheckpoint: (c) => writeFileSync(checkpointFile, encodeCheckpoint(c)) }
            : {}),
        },
      });
      writeFileSync(need('out'), encodeModel(model));
      console.log(formatModelReport(model));
      console.log(evaluateReport(model, need('data'), modalities, flags));
      return 0;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 1;
  }
}

async function backend(allowCpu: boolean | undefined) {
  return initBackend({ allowCpu: allowCpu ?? false });
}

function evaluateReport(
  model: DrclModel,
  dir: string,
  modalities: string[],
  flags: { 'validation-from-test'?: string; k?: string },
): string {
  const validationFromTest = Number(flags['validation-from-test'] ?? 0);
  const { test } = loadNpyDataset({
    dir,
    modalities,
    validationFromTest,
    numClasses: model.numClasses,
  });
  if (Object.keys(test).length < 2) return 'no test split to evaluate (test_<modality>.npy)';
  const sets: Record<string, RetrievalSet> = {};
  for (const [m, split] of Object.entries(test)) {
    sets[m] = {
      embeddings: embedModality(model, m, split.features),
      dim: model.config.embeddingDim,
      labels: split.labels,
      numClasses: model.numClasses,
      ...(split.siteIds ? { siteIds: split.siteIds } : {}),
    };
  }
  const k = flags.k ? Number(flags.k) : undefined;
  const label = k ? `test mAP@${k}` : 'test mAP@all';
  return formatRetrievalReport(evaluateAllDirections(sets, k ? { k } : {}), label);
}
