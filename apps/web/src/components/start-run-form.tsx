'use client';
/** Start a training run: the main DRCL settings with validation (client and API). */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { StartTrainingRunDocument } from '../generated/graphql.ts';
import { errorMessage, execute } from '../lib/client.ts';
import { DEFAULT_FORM, validateRunForm, type FormErrors, type RunForm } from '../lib/run-form.ts';

type TextField = Exclude<
  keyof RunForm,
  'rscRates' | 'priorSelection' | 'priorCandidates' | 'minSiteItems'
>;

const FIELDS: { key: TextField; label: string; hint: string }[] = [
  { key: 'splEpochs', label: 'Prior epochs (SPL)', hint: 'per prior candidate' },
  { key: 'rscEpochs', label: 'Epochs (RSC)', hint: 'per modality' },
  { key: 'batchSize', label: 'Batch size', hint: '2–8192' },
  { key: 'splLearningRate', label: 'Learning rate, prior', hint: 'all modalities' },
  { key: 'rscLearningRate', label: 'Learning rate, RSC', hint: 'all modalities' },
  { key: 'embeddingDim', label: 'Shared dimension D', hint: 'empty = dataset default' },
  { key: 'hiddenSizes', label: 'Hidden layers', hint: 'e.g. 1024 or 512, 512' },
  { key: 'textDimensions', label: 'Text features (LSA)', hint: '2–1000' },
  { key: 'seed', label: 'Seed', hint: 'empty = random' },
];

export function StartRunForm({
  datasetId,
  modalities,
}: {
  datasetId: string;
  modalities: readonly string[];
}) {
  const router = useRouter();
  const [form, setForm] = useState<RunForm>(DEFAULT_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { config, errors: found } = validateRunForm(form);
    setErrors(found);
    if (!config) return;
    setBusy(true);
    setError(null);
    try {
      const { startTrainingRun } = await execute(StartTrainingRunDocument, { datasetId, config });
      if (startTrainingRun.errors.length > 0) {
        const fieldErrors: FormErrors = {};
        for (const e of startTrainingRun.errors) {
          const key = e.field?.[e.field.length - 1];
          if (key === 'rscLearningRates') fieldErrors.rscRates = e.message;
          else if (key && key in DEFAULT_FORM) fieldErrors[key as keyof RunForm] = e.message;
        }
        setErrors(fieldErrors);
        setError(startTrainingRun.errors.map((e) => e.message).join(' '));
      } else if (startTrainingRun.run) {
        router.push(`/training/${startTrainingRun.run.id}`);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="panel" open>
      <summary>
        <strong>Start a training run</strong>
      </summary>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate style={{ marginTop: 12 }}>
        <div className="form-grid">
          {FIELDS.map((f) => (
            <label key={f.key} className="field">
              {f.label}
              <input
                name={f.key}
                inputMode="decimal"
                value={form[f.key]}
                aria-invalid={!!errors[f.key]}
                onChange={(e) => {
                  setForm({ ...form, [f.key]: e.target.value });
                  setErrors({ ...errors, [f.key]: undefined });
                }}
              />
              {errors[f.key] ? (
                <span className="field-error">{errors[f.key]}</span>
              ) : (
                <span className="hint">{f.hint}</span>
              )}
            </label>
          ))}
          <label className="field">
            Prior candidates
            <select
              name="priorCandidates"
              value={form.priorCandidates}
              onChange={(e) => {
                const priorCandidates = e.target.value as RunForm['priorCandidates'];
                // The minimum belongs to site × modality candidates: hidden and cleared otherwise.
                setForm({
                  ...form,
                  priorCandidates,
                  minSiteItems: priorCandidates === 'SITE_MODALITY' ? form.minSiteItems : '',
                });
                setErrors({ ...errors, priorCandidates: undefined, minSiteItems: undefined });
              }}
            >
              <option value="MODALITY">One per modality</option>
              <option value="SITE_MODALITY">One per site × modality</option>
            </select>
            <span className="hint">which units SPL trains as priors</span>
          </label>
          {form.priorCandidates === 'SITE_MODALITY' ? (
            <label className="field">
              Min. items per site × modality
              <input
                name="minSiteItems"
                inputMode="numeric"
                value={form.minSiteItems}
                placeholder="1024"
                aria-invalid={!!errors.minSiteItems}
                onChange={(e) => {
                  setForm({ ...form, minSiteItems: e.target.value });
                  setErrors({ ...errors, minSiteItems: undefined });
                }}
              />
              {errors.minSiteItems ? (
                <span className="field-error">{errors.minSiteItems}</span>
              ) : (
                <span className="hint">smaller pairs are not candidates</span>
              )}
            </label>
          ) : null}
          <label className="field">
            Prior candidate choice
            <select
              name="priorSelection"
              value={form.priorSelection}
              onChange={(e) =>
                setForm({ ...form, priorSelection: e.target.value as RunForm['priorSelection'] })
              }
            >
              <option value="best-epoch">Best epoch</option>
              <option value="last-epoch">Last epoch</option>
            </select>
            <span className="hint">epoch whose weights become the prior</span>
          </label>
        </div>
        <fieldset className="fieldset" data-testid="modality-rates">
          <legend>Learning rate (RSC) per modality</legend>
          <div className="form-grid">
            {modalities.map((modality) => {
              const key = `rscRate:${modality}` as const;
              return (
                <label key={modality} className="field">
                  {modality}
                  <input
                    name={key}
                    inputMode="decimal"
                    value={form.rscRates[modality] ?? ''}
                    placeholder={form.rscLearningRate}
                    aria-invalid={!!errors[key]}
                    onChange={(e) => {
                      setForm({
                        ...form,
                        rscRates: { ...form.rscRates, [modality]: e.target.value },
                      });
                      setErrors({ ...errors, [key]: undefined, rscRates: undefined });
                    }}
                  />
                  {errors[key] ? (
                    <span className="field-error">{errors[key]}</span>
                  ) : (
                    <span className="hint">empty = the RSC rate above</span>
                  )}
                </label>
              );
            })}
          </div>
          {errors.rscRates ? <p className="field-error">{errors.rscRates}</p> : null}
        </fieldset>
        {error ? <p className="field-error">{error}</p> : null}
        <div>
          <button className="button primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start run'}
          </button>
        </div>
      </form>
    </details>
  );
}
