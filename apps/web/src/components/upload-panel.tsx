'use client';
/**
 * Upload of images and documents into a dataset: one multipart request per batch of files with
 * an upload progress bar, then each file's own result (created, duplicate, or failed and why).
 */
import { useState } from 'react';
import {
  IngestItemsDocument,
  type IngestItemInput,
  type IngestItemStatus,
  type ItemSplit,
} from '../generated/graphql.ts';
import { errorMessage, executeMultipart } from '../lib/client.ts';
import { DropZone } from './drop-zone.tsx';

const BATCH = 8;

interface FileResult {
  name: string;
  status: IngestItemStatus | 'UPLOADING' | 'WAITING';
  error: string | null;
}

export function UploadPanel({
  datasetId,
  sites,
  labels,
  onUploaded,
}: {
  datasetId: string;
  sites: readonly { id: string; name: string }[];
  labels: readonly { id: string; name: string }[];
  onUploaded: () => void;
}) {
  const [files, setFiles] = useState<File[]>([]);
  const [site, setSite] = useState(sites[0]?.id ?? '');
  const [label, setLabel] = useState('');
  // A label the dataset lacks is created only when asked: a typo must not become a new class.
  const [createLabel, setCreateLabel] = useState(false);
  const newLabel = label !== '' && !labels.some((l) => l.name === label.trim());
  const [split, setSplit] = useState<ItemSplit | ''>('');
  const [progress, setProgress] = useState<number | null>(null);
  const [results, setResults] = useState<FileResult[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function upload() {
    setError(null);
    const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
    let done = 0;
    const out: FileResult[] = files.map((f) => ({ name: f.name, status: 'WAITING', error: null }));
    setResults([...out]);
    setProgress(0);
    try {
      for (let start = 0; start < files.length; start += BATCH) {
        const batch = files.slice(start, start + BATCH);
        batch.forEach((_, i) => (out[start + i]!.status = 'UPLOADING'));
        setResults([...out]);
        const items: IngestItemInput[] = batch.map((file) => ({
          key: file.name,
          site,
          labels: label ? [label] : [],
          modality: file.type.startsWith('image/') ? 'IMAGE' : 'TEXT',
          mimeType: file.type || null,
          split: split || null,
          file: null,
        }));
        const map = new Map(batch.map((file, i) => [`variables.input.items.${i}.file`, file]));
        const batchBytes = batch.reduce((sum, f) => sum + f.size, 0);
        const data = await executeMultipart(
          IngestItemsDocument,
          { input: { datasetId, createLabels: newLabel && createLabel, items } },
          map,
          (fraction) => setProgress((done + fraction * batchBytes) / total),
        );
        done += batchBytes;
        const payload = data.ingestItems;
        if (payload.errors.length > 0) {
          batch.forEach((_, i) => {
            out[start + i] = {
              ...out[start + i]!,
              status: 'FAILED',
              error: payload.errors.map((e) => e.message).join(' '),
            };
          });
        }
        for (const result of payload.results) {
          out[start + result.index] = {
            name: batch[result.index]?.name ?? result.key ?? '?',
            status: result.status,
            error: result.error ?? null,
          };
        }
        setResults([...out]);
      }
      setProgress(1);
      setFiles([]);
      onUploaded();
    } catch (e) {
      setError(errorMessage(e));
      setProgress(null);
    }
  }

  const uploading = progress !== null && progress < 1;
  return (
    <section className="panel" data-testid="upload-panel">
      <h2>Upload</h2>
      <div className="form-grid" style={{ marginBottom: 12 }}>
        <label className="field">
          Site
          <select value={site} onChange={(e) => setSite(e.target.value)}>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Label
          <input
            list="upload-labels"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="existing or new"
          />
          <datalist id="upload-labels">
            {labels.map((l) => (
              <option key={l.id} value={l.name} />
            ))}
          </datalist>
        </label>
        {newLabel ? (
          <label className="field">
            <span>
              <input
                type="checkbox"
                checked={createLabel}
                onChange={(e) => setCreateLabel(e.target.checked)}
              />{' '}
              Create the new label “{label.trim()}”
            </span>
          </label>
        ) : null}
        <label className="field">
          Split
          <select value={split} onChange={(e) => setSplit(e.target.value as ItemSplit | '')}>
            <option value="">Automatic</option>
            <option value="TRAIN">Train</option>
            <option value="VALIDATION">Validation</option>
            <option value="TEST">Test</option>
          </select>
        </label>
      </div>
      {sites.length === 0 ? <p className="field-error">Add a site before uploading.</p> : null}
      <DropZone
        accept="image/*,.txt,.md,.pdf,.html,.docx,.csv,.json,text/*"
        multiple
        onFiles={(picked) => setFiles((previous) => [...previous, ...picked])}
        testId="upload-files"
      >
        <p>
          {files.length > 0
            ? `${files.length} file(s) ready: ${files
                .slice(0, 3)
                .map((f) => f.name)
                .join(', ')}${files.length > 3 ? '…' : ''}`
            : 'Drop images or documents here, or click to pick files.'}
        </p>
      </DropZone>
      <div className="row" style={{ marginTop: 12 }}>
        <button
          type="button"
          className="button primary"
          disabled={files.length === 0 || !site || uploading}
          onClick={() => void upload()}
        >
          {uploading ? 'Uploading…' : `Upload ${files.length || ''}`}
        </button>
        {files.length > 0 && !uploading ? (
          <button type="button" className="button ghost" onClick={() => setFiles([])}>
            Clear
          </button>
        ) : null}
      </div>
      {progress !== null ? (
        <div style={{ marginTop: 12 }}>
          <div
            className="progress"
            role="progressbar"
            aria-valuenow={Math.round(progress * 100)}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
          <p className="small muted">
            {progress < 1 ? `${Math.round(progress * 100)}% sent` : 'Done'}
          </p>
        </div>
      ) : null}
      {error ? <p className="field-error">{error}</p> : null}
      {results.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="upload-results">
            <thead>
              <tr>
                <th>File</th>
                <th>Result</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r, i) => (
                <tr key={i}>
                  <td>{r.name}</td>
                  <td>
                    <span className={`badge status-${r.status.toLowerCase()}`}>
                      {r.status.toLowerCase()}
                    </span>
                  </td>
                  <td className="small">{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
