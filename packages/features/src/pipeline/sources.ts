import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { labelsFrom, scalarString } from '../vectors/rows.ts';
import type { SourceItem } from './types.ts';

export interface WalkFolderArgs {
  /** Use each file's parent folder name as its label (the `root/<class>/<file>` layout). */
  labelFromFolder?: boolean;
  /** Site for every item. */
  site?: string;
  /** Descend into sub-folders (default true). Hidden files and folders are skipped. */
  recursive?: boolean;
}

/** Every regular file under `root`, sorted by path, as source items keyed by relative path. */
export async function* walkFolder(
  root: string,
  args: WalkFolderArgs = {},
): AsyncGenerator<SourceItem> {
  const recursive = args.recursive ?? true;
  async function* walk(dir: string): AsyncGenerator<SourceItem> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (recursive) yield* walk(path);
      } else if (e.isFile()) {
        const key = relative(root, path);
        const folder = basename(dirname(path));
        yield {
          key,
          path,
          labels: args.labelFromFolder === true && dirname(key) !== '.' ? [folder] : [],
          ...(args.site !== undefined ? { site: args.site } : {}),
        };
      }
    }
  }
  yield* walk(resolve(root));
}

export type ManifestFormat = 'csv' | 'jsonl';

interface ManifestRecord {
  id?: unknown;
  path?: unknown;
  text?: unknown;
  modality?: unknown;
  mime?: unknown;
  labels?: unknown;
  label?: unknown;
  site?: unknown;
  record?: unknown;
}

function toItem(rec: ManifestRecord, row: number, baseDir: string): SourceItem {
  const id = scalarString(rec.id);
  const labels = labelsFrom(rec.labels ?? rec.label);
  const site = scalarString(rec.site);
  const record = scalarString(rec.record);
  const base = {
    // A row without an id is keyless (identified by its content); `row-N` names it in results.
    ...(id !== undefined ? { key: id } : { key: `row-${row}`, keyless: true }),
    labels,
    ...(site !== undefined ? { site } : {}),
    ...(record !== undefined ? { record } : {}),
    metadata: { manifestRow: row },
  };
  const path = typeof rec.path === 'string' && rec.path !== '' ? rec.path : undefined;
  const text = typeof rec.text === 'string' && rec.text !== '' ? rec.text : undefined;
  const modality = scalarString(rec.modality);
  if (modality !== undefined && modality !== 'image' && modality !== 'text')
    return {
      ...base,
      error: { code: 'BAD_RECORD', message: `row ${row}: unknown modality "${modality}"` },
    };
  if ((path === undefined) === (text === undefined))
    return {
      ...base,
      error: { code: 'BAD_RECORD', message: `row ${row}: needs exactly one of path or text` },
    };
  return {
    ...base,
    ...(path !== undefined
      ? { path: isAbsolute(path) ? path : join(baseDir, path) }
      : { text: text! }),
    ...(modality !== undefined ? { modality: modality } : {}),
    ...(typeof rec.mime === 'string' && rec.mime !== '' ? { mime: rec.mime } : {}),
  };
}

/**
 * Items of a manifest: CSV with a header, or JSONL, with columns/keys `path` or `text`,
 * `modality` (image|text), `labels` (JSON array or `a|b`) or `label`, `site`, `id` (the item's
 * key; a row without one is keyless), `record` (the record the item belongs to), `mime`.
 * Relative paths are resolved against `baseDir`. A malformed row becomes an item with an error.
 */
export function parseManifest(text: string, format: ManifestFormat, baseDir: string): SourceItem[] {
  if (format === 'jsonl') {
    const out: SourceItem[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const rec = JSON.parse(line) as unknown;
        if (typeof rec !== 'object' || rec === null || Array.isArray(rec))
          throw new Error('not a JSON object');
        out.push(toItem(rec, i + 1, baseDir));
      } catch (err) {
        out.push({
          key: `row-${i + 1}`,
          labels: [],
          error: { code: 'BAD_RECORD', message: `line ${i + 1}: ${(err as Error).message}` },
        });
      }
    });
    return out;
  }
  const records = parse<Record<string, string>>(text, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
    relax_column_count: true,
  });
  return records.map((rec, i) => toItem(rec, i + 1, baseDir));
}

/** Reads a manifest file (format from its extension unless given). */
export async function readManifest(path: string, format?: ManifestFormat): Promise<SourceItem[]> {
  const fmt = format ?? (path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  return parseManifest(await readFile(path, 'utf8'), fmt, dirname(resolve(path)));
}
