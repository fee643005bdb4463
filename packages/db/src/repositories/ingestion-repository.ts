/** Results of ingestion calls remembered by idempotency key. */
import type { IngestionRequest, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { mapped } from './common.ts';

export class IngestionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  find(datasetId: string, idempotencyKey: string): Promise<IngestionRequest | null> {
    return this.prisma.ingestionRequest.findUnique({
      where: { datasetId_idempotencyKey: { datasetId, idempotencyKey } },
    });
  }

  save(
    datasetId: string,
    idempotencyKey: string,
    requestHash: string,
    result: unknown,
  ): Promise<IngestionRequest> {
    return mapped('Idempotency key', () =>
      this.prisma.ingestionRequest.create({
        data: { datasetId, idempotencyKey, requestHash, result: result as Prisma.InputJsonValue },
      }),
    );
  }
}
