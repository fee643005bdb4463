// Prisma CLI configuration. Only `prisma generate` runs here; migrations are applied by
// packages/db's own runner (Prisma Migrate's engine cannot be downloaded on these machines).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
