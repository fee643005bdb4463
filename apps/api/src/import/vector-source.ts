/**
 * The `import --vectors` CLI's input: a feature file's rows streamed by `@concord/features`
 * (`streamVectorFile`, never the whole file at once), with a `.npy` labels file and class names,
 * its row count for the progress bar, and its dimension for `--create`.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  streamVectorFile,
  vectorFormatFromPath,
  type StreamArgs,
  type VectorRow,
} from '@concord/features';

export interface VectorSourceOptions {
  labelsFile?: string;
  classNames?: string[];
}

export async function vectorStreamArgs(opts: VectorSourceOptions): Promise<StreamArgs> {
  return {
    ...(opts.labelsFile !== undefined ? { labels: await readFile(opts.labelsFile) } : {}),
    ...(opts.classNames !== undefined ? { classNames: opts.classNames } : {}),
  };
}

export function vectorRows(path: string, args: StreamArgs): AsyncGenerator<VectorRow> {
  return streamVectorFile(path, args);
}

/** Class names from `a,b,c` or a file (one per line, or comma-separated). */
export function parseClassNames(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Rows in the file, for the progress bar, counted without parsing: `.npy` from its header
 * (through the reader's first row), JSONL by non-blank lines, CSV by lines after the header.
 */
export async function countRows(path: string): Promise<number | undefined> {
  const format = vectorFormatFromPath(path);
  if (format === undefined) return undefined;
  if (format === 'npy') {
    const { parseNpyHeader } = await import('@concord/features');
    const head = new Uint8Array(65_536);
    const { open } = await import('node:fs/promises');
    const file = await open(path, 'r');
    try {
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      return parseNpyHeader(head.subarray(0, bytesRead)).shape[0];
    } finally {
      await file.close();
    }
  }
  let lines = 0;
  let current = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 10) {
        if (current > 0) lines++;
        current = 0;
      } else if (byte !== 13 && byte !== 32) current++;
    }
  }
  if (current > 0) lines++;
  return format === 'csv' ? Math.max(0, lines - 1) : lines;
}

/** The dimension of the file's first valid row (reads no further), or undefined. */
export async function firstDimension(path: string, args: StreamArgs): Promise<number | undefined> {
  for await (const row of streamVectorFile(path, args)) if (row.ok) return row.vector.length;
  return undefined;
}
