/** Datasets with their sites and labels (one aggregate: a label's dense index belongs to it). */
import type { Dataset, Label, Prisma, PrismaClient, Site } from '../generated/prisma/client.ts';
import { mapped, pageQuery, toPage, type Page, type PageArgs } from './common.ts';

export interface DatasetInput {
  name: string;
  description?: string;
  modalities: string[];
  dimension: number;
  featurisers?: Record<string, unknown>;
  allowLabelCreation?: boolean;
}

export interface DatasetPatch {
  name?: string;
  description?: string;
  retrainPolicy?: Record<string, unknown>;
  allowLabelCreation?: boolean;
}

export class DatasetRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(input: DatasetInput): Promise<Dataset> {
    return mapped(`Dataset "${input.name}"`, () =>
      this.prisma.dataset.create({
        data: {
          name: input.name,
          description: input.description ?? '',
          modalities: input.modalities,
          dimension: input.dimension,
          featurisers: (input.featurisers ?? {}) as Prisma.InputJsonValue,
          allowLabelCreation: input.allowLabelCreation ?? false,
        },
      }),
    );
  }

  update(id: string, patch: DatasetPatch): Promise<Dataset> {
    return mapped('Dataset', () =>
      this.prisma.dataset.update({
        where: { id },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.retrainPolicy !== undefined
            ? { retrainPolicy: patch.retrainPolicy as Prisma.InputJsonValue }
            : {}),
          ...(patch.allowLabelCreation !== undefined
            ? { allowLabelCreation: patch.allowLabelCreation }
            : {}),
        },
      }),
    );
  }

  async delete(id: string): Promise<Dataset> {
    return mapped('Dataset', () =>
      this.prisma.$transaction(async (tx) => {
        // Items restrict deleting their site; the dataset's cascade removes both, items first.
        await tx.dataset.update({ where: { id }, data: { activeModelId: null } });
        await tx.item.deleteMany({ where: { datasetId: id } });
        return tx.dataset.delete({ where: { id } });
      }),
    );
  }

  findById(id: string): Promise<Dataset | null> {
    return this.prisma.dataset.findUnique({ where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<Dataset[]> {
    return this.prisma.dataset.findMany({ where: { id: { in: [...ids] } } });
  }

  /** `scope` limits the rows to these ids (an API key's datasets); null = all. */
  async list(args: PageArgs & { scope: readonly string[] | null }): Promise<Page<Dataset>> {
    const where = args.scope ? { id: { in: [...args.scope] } } : {};
    const [rows, total] = await Promise.all([
      this.prisma.dataset.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        ...pageQuery(args),
      }),
      this.prisma.dataset.count({ where }),
    ]);
    return toPage(rows, args.first, total);
  }

  all(): Promise<Dataset[]> {
    return this.prisma.dataset.findMany({ orderBy: { createdAt: 'asc' } });
  }

  // Sites ---------------------------------------------------------------------------------------

  createSite(datasetId: string, input: { name: string; description?: string }): Promise<Site> {
    return mapped(`Site "${input.name}"`, () =>
      this.prisma.site.create({
        data: { datasetId, name: input.name, description: input.description ?? '' },
      }),
    );
  }

  updateSite(id: string, patch: { name?: string; description?: string }): Promise<Site> {
    return mapped('Site', () => this.prisma.site.update({ where: { id }, data: patch }));
  }

  /** Refused (CONFLICT) while items still belong to the site. */
  deleteSite(id: string): Promise<Site> {
    return mapped('Site', () => this.prisma.site.delete({ where: { id } }));
  }

  findSite(id: string): Promise<Site | null> {
    return this.prisma.site.findUnique({ where: { id } });
  }

  findSitesByIds(ids: readonly string[]): Promise<Site[]> {
    return this.prisma.site.findMany({ where: { id: { in: [...ids] } } });
  }

  findSiteByName(datasetId: string, name: string): Promise<Site | null> {
    return this.prisma.site.findUnique({ where: { datasetId_name: { datasetId, name } } });
  }

  listSites(datasetId: string): Promise<Site[]> {
    return this.prisma.site.findMany({ where: { datasetId }, orderBy: { name: 'asc' } });
  }

  // Labels --------------------------------------------------------------------------------------

  listLabels(datasetId: string): Promise<Label[]> {
    return this.prisma.label.findMany({ where: { datasetId }, orderBy: { index: 'asc' } });
  }

  findLabel(id: string): Promise<Label | null> {
    return this.prisma.label.findUnique({ where: { id } });
  }

  findLabelsByIds(ids: readonly string[]): Promise<Label[]> {
    return this.prisma.label.findMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * The labels of these names, creating missing ones with the next dense indices. Serialised per
   * dataset by locking the dataset row, so concurrent ingestions cannot take the same index.
   */
  ensureLabels(datasetId: string, names: readonly string[]): Promise<Label[]> {
    const wanted = [...new Set(names)];
    return mapped('Label', () =>
      this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT id FROM dataset WHERE id = ${datasetId}::uuid FOR UPDATE`;
        const existing = await tx.label.findMany({ where: { datasetId } });
        const byName = new Map(existing.map((label) => [label.name, label]));
        let next = existing.reduce((max, label) => Math.max(max, label.index + 1), 0);
        for (const name of wanted) {
          if (byName.has(name)) continue;
          byName.set(name, await tx.label.create({ data: { datasetId, name, index: next } }));
          next += 1;
        }
        return wanted.map((name) => byName.get(name)!);
      }),
    );
  }

  renameLabel(id: string, name: string): Promise<Label> {
    return mapped(`Label "${name}"`, () =>
      this.prisma.label.update({ where: { id }, data: { name } }),
    );
  }

  /** Deletes a label and closes the gap so indices stay dense (0..C-1). */
  deleteLabel(id: string): Promise<Label> {
    return mapped('Label', () =>
      this.prisma.$transaction(async (tx) => {
        const label = await tx.label.delete({ where: { id } });
        // Two steps: the (dataset, index) unique constraint is checked row by row.
        await tx.$executeRaw`UPDATE label SET index = -index WHERE dataset_id = ${label.datasetId}::uuid AND index > ${label.index}`;
        await tx.$executeRaw`UPDATE label SET index = -index - 1 WHERE dataset_id = ${label.datasetId}::uuid AND index < 0`;
        return label;
      }),
    );
  }
}
