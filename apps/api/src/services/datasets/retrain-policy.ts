/** A dataset's retraining policy, as stored in `dataset.retrain_policy`. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { badInput } from '../../errors.ts';

export type RetrainPolicy =
  | { kind: 'MANUAL'; cron: null; threshold: null; config: Record<string, unknown> | null }
  | { kind: 'CRON'; cron: string; threshold: null; config: Record<string, unknown> | null }
  | { kind: 'THRESHOLD'; cron: null; threshold: number; config: Record<string, unknown> | null };

const stored = z.object({
  kind: z.string(),
  cron: z.string().nullish(),
  threshold: z.number().int().nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
});

/** Reads the stored JSON (the initial migration's default is `{"kind":"manual"}`). */
export function readRetrainPolicy(json: unknown): RetrainPolicy {
  const parsed = stored.safeParse(json);
  const value = parsed.success ? parsed.data : { kind: 'manual' };
  const config = (parsed.success ? parsed.data.config : null) ?? null;
  switch (value.kind.toUpperCase()) {
    case 'CRON':
      return value.cron
        ? { kind: 'CRON', cron: value.cron, threshold: null, config }
        : { kind: 'MANUAL', cron: null, threshold: null, config };
    case 'THRESHOLD':
      return value.threshold
        ? { kind: 'THRESHOLD', cron: null, threshold: value.threshold, config }
        : { kind: 'MANUAL', cron: null, threshold: null, config };
    default:
      return { kind: 'MANUAL', cron: null, threshold: null, config };
  }
}

export function validateRetrainPolicy(input: {
  kind: 'MANUAL' | 'CRON' | 'THRESHOLD';
  cron?: string | null;
  threshold?: number | null;
  config?: Record<string, unknown> | null;
}): RetrainPolicy {
  const config = input.config ?? null;
  switch (input.kind) {
    case 'MANUAL':
      return { kind: 'MANUAL', cron: null, threshold: null, config };
    case 'CRON': {
      if (!input.cron) throw badInput('A CRON policy needs `cron`.', ['policy', 'cron']);
      try {
        CronExpressionParser.parse(input.cron);
      } catch {
        throw badInput(`Invalid cron expression: ${input.cron}`, ['policy', 'cron']);
      }
      return { kind: 'CRON', cron: input.cron, threshold: null, config };
    }
    case 'THRESHOLD': {
      const t = input.threshold;
      if (!t || !Number.isInteger(t) || t < 1)
        throw badInput('A THRESHOLD policy needs a positive `threshold`.', ['policy', 'threshold']);
      return { kind: 'THRESHOLD', cron: null, threshold: t, config };
    }
  }
}
