/** API keys: only a hash of the secret is stored; the prefix finds the row. */
import type { ApiKey, ApiKeyRole, PrismaClient } from '../generated/prisma/client.ts';
import { mapped } from './common.ts';

export interface NewApiKey {
  prefix: string;
  secretHash: string;
  role: ApiKeyRole;
  label: string;
  datasetIds: string[];
}

export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(input: NewApiKey): Promise<ApiKey> {
    return mapped('API key', () => this.prisma.apiKey.create({ data: input }));
  }

  findByPrefix(prefix: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findUnique({ where: { prefix } });
  }

  findById(id: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findUnique({ where: { id } });
  }

  list(): Promise<ApiKey[]> {
    return this.prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' } });
  }

  count(): Promise<number> {
    return this.prisma.apiKey.count();
  }

  /**
   * Creates the first admin key only when the table is empty, under a transaction-scoped
   * advisory lock, so two processes starting together cannot both create one.
   */
  createFirst(input: NewApiKey): Promise<ApiKey | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(7264311906)`;
      if ((await tx.apiKey.count()) > 0) return null;
      return tx.apiKey.create({ data: input });
    });
  }

  revoke(id: string): Promise<ApiKey> {
    return mapped('API key', () =>
      this.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } }),
    );
  }

  async touch(id: string): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }
}
