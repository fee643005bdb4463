/** The API's configuration, parsed once from the environment; every variable is in .env.example. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const schema = z.object({
  /** PostgreSQL URL for server mode; unset = embedded PGlite. */
  DATABASE_URL: z.url().optional(),
  /** Folder of the embedded database. */
  CONCORD_DATA_DIR: z.string().min(1).default(resolve(REPO_ROOT, '.data')),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
