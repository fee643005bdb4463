import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Types are checked by the package's `typecheck` task (tsc) and lint by `eslint .`; the build
  // does not repeat them on the shared 2-core machines.
  typescript: { ignoreBuildErrors: true },
  // Packages import with explicit `.ts` extensions (repository convention).
  experimental: {},
};

export default config;
