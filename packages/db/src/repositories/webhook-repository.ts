/** Webhooks and their delivery log. */
import type { Prisma, PrismaClient, Webhook, WebhookDelivery } from '../generated/prisma/client.ts';
import { mapped } from './common.ts';

export class WebhookRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(input: {
    datasetId: string | null;
    url: string;
    secret: string;
    events: string[];
  }): Promise<Webhook> {
    return mapped('Webhook', () => this.prisma.webhook.create({ data: input }));
  }

  delete(id: string): Promise<Webhook> {
    return mapped('Webhook', () => this.prisma.webhook.delete({ where: { id } }));
  }

  findById(id: string): Promise<Webhook | null> {
    return this.prisma.webhook.findUnique({ where: { id } });
  }

  list(): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } });
  }

  /** Webhooks subscribed to `event` for this dataset (or for every dataset). */
  subscribers(datasetId: string, event: string): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({
      where: { events: { has: event }, OR: [{ datasetId }, { datasetId: null }] },
    });
  }

  createDelivery(webhookId: string, event: string, payload: unknown): Promise<WebhookDelivery> {
    return this.prisma.webhookDelivery.create({
      data: { webhookId, event, payload: payload as Prisma.InputJsonValue },
    });
  }

  findDelivery(id: string): Promise<WebhookDelivery | null> {
    return this.prisma.webhookDelivery.findUnique({ where: { id } });
  }

  recordAttempt(
    id: string,
    outcome: {
      status: 'pending' | 'delivered' | 'failed';
      responseStatus: number | null;
      error: string | null;
    },
  ): Promise<WebhookDelivery> {
    return this.prisma.webhookDelivery.update({
      where: { id },
      data: {
        status: outcome.status,
        responseStatus: outcome.responseStatus,
        error: outcome.error,
        attempts: { increment: 1 },
        ...(outcome.status === 'delivered' ? { deliveredAt: new Date() } : {}),
      },
    });
  }

  deliveries(webhookId: string, take = 100): Promise<WebhookDelivery[]> {
    return this.prisma.webhookDelivery.findMany({
      where: { webhookId },
      orderBy: { createdAt: 'desc' },
      take,
    });
  }
}
