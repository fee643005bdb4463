'use client';
/**
 * The dataset the pages work on: chosen once in the header, remembered in localStorage, and
 * shared by search, training and models.
 */
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { DatasetsDocument, type DatasetsQuery } from '../generated/graphql.ts';
import { useQuery, type QueryState } from './use-query.ts';

export type DatasetSummary = DatasetsQuery['datasets']['edges'][number]['node'];

interface DatasetSelection {
  datasets: QueryState<DatasetsQuery>;
  selected: DatasetSummary | null;
  select: (id: string) => void;
}

const STORAGE_KEY = 'concord.datasetId';
const Context = createContext<DatasetSelection | null>(null);

export function DatasetProvider({ children }: { children: ReactNode }) {
  const datasets = useQuery(DatasetsDocument, {});
  const [selectedId, setSelectedId] = useState<string | null>(null);

  useEffect(() => {
    setSelectedId(window.localStorage.getItem(STORAGE_KEY));
  }, []);

  const value = useMemo<DatasetSelection>(() => {
    const all = datasets.data?.datasets.edges.map((e) => e.node) ?? [];
    const selected = all.find((d) => d.id === selectedId) ?? all[0] ?? null;
    return {
      datasets,
      selected,
      select: (id) => {
        window.localStorage.setItem(STORAGE_KEY, id);
        setSelectedId(id);
      },
    };
  }, [datasets, selectedId]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useDatasets(): DatasetSelection {
  const value = useContext(Context);
  if (!value) throw new Error('useDatasets outside DatasetProvider');
  return value;
}
