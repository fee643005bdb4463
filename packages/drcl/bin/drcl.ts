#!/usr/bin/env -S npx tsx
// Entry point of the `drcl` command (run with tsx: `npx tsx packages/drcl/bin/drcl.ts --help`).
import { main } from '../src/cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
