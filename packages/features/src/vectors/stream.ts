import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { FeatureError } from '../errors.ts';
import { CSV_OPTIONS, csvRecordsToRows } from './csv.ts';
import { jsonlLineToRow } from './jsonl.ts';
import {
  labelRows,
  npyVectorRow,
  readNpyVectors,
  vectorFormatFromPath,
  type NpyImportArgs,
  type VectorFileFormat,
} from './import.ts';
import { parseNpyHeader } from './npy.ts';
import { DimensionGuard, type VectorRow } from './rows.ts';

export interface StreamArgs extends NpyImportArgs {
  format?: VectorFileFormat;
  /** `.npy`: rows read per chunk (default: about 4 MiB worth). */
  chunkRows?: number;
}

/** Rows of a JSONL file, read line by line. */
async function* streamJsonl(path: string, args: NpyImportArgs): AsyncGenerator<VectorRow> {
  const guard = new DimensionGuard(args.dims);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let row = 0;
  for await (const raw of lines) {
    row++;
    const line = raw.trim();
    if (line.length > 0) yield jsonlLineToRow(line, row, guard);
  }
}

/** Rows of a 2-D C-order `.npy` file, read in chunks of rows (Fortran order: whole file). */
async function* streamNpy(path: string, args: StreamArgs): AsyncGenerator<VectorRow> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(65_536);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const h = parseNpyHeader(head.subarray(0, bytesRead));
    if (h.shape.length !== 2)
      throw new FeatureError(
        'BAD_RECORD',
        `feature array must be 2-D, found shape (${h.shape.join(', ')})`,
      );
    if (h.fortranOrder) {
      yield* readNpyVectors(await file.readFile(), args);
      return;
    }
    const [rows, width] = h.shape as [number, number];
    const labels = args.labels ? labelRows(args.labels, rows, args.classNames) : undefined;
    const rowBytes = width * h.itemSize;
    const chunkRows = args.chunkRows ?? Math.max(1, Math.floor((4 << 20) / Math.max(1, rowBytes)));
    const buf = new Uint8Array(chunkRows * rowBytes);
    for (let start = 0; start < rows; start += chunkRows) {
      const n = Math.min(chunkRows, rows - start);
      const { bytesRead: got } = await file.read(
        buf,
        0,
        n * rowBytes,
        h.dataOffset + start * rowBytes,
      );
      if (got < n * rowBytes)
        throw new FeatureError(
          'BAD_RECORD',
          `truncated .npy: row ${start + Math.floor(got / rowBytes) + 1} is incomplete`,
        );
      const view = new DataView(buf.buffer, 0, got);
      for (let i = 0; i < n; i++) {
        const r = start + i;
        const values = new Array<number>(width);
        for (let j = 0; j < width; j++) values[j] = h.read(view, (i * width + j) * h.itemSize);
        yield npyVectorRow(r, values, args, labels);
      }
    }
  } finally {
    await file.close();
  }
}

/**
 * Streams the rows of a `.npy`, `.jsonl` or `.csv` feature file without holding the whole file
 * in memory (only `.npy` labels files, which are small, are read whole).
 */
export async function* streamVectorFile(
  path: string,
  args: StreamArgs = {},
): AsyncGenerator<VectorRow> {
  const format = args.format ?? vectorFormatFromPath(path);
  switch (format) {
    case 'npy':
      yield* streamNpy(path, args);
      return;
    case 'jsonl':
      yield* streamJsonl(path, args);
      return;
    case 'csv':
      yield* csvRecordsToRows(
        createReadStream(path).pipe(parse(CSV_OPTIONS)) as AsyncIterable<string[]>,
        args,
      );
      return;
    case undefined:
      throw new FeatureError('UNSUPPORTED_TYPE', `cannot tell the vector file format of ${path}`);
  }
}
