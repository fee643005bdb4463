'use client';
import { RetrainPolicyPanel, WebhooksPanel } from '../../components/automation.tsx';
import { RunHistory } from '../../components/run-history.tsx';
import { StartRunForm } from '../../components/start-run-form.tsx';
import { Empty, ErrorBox, Loading } from '../../components/states.tsx';
import { useDatasets } from '../../lib/datasets.tsx';
import { hasRole, useSession } from '../../lib/session.tsx';

export default function TrainingPage() {
  const { selected, datasets } = useDatasets();
  const { state } = useSession();
  if (datasets.error) return <ErrorBox error={datasets.error} retry={datasets.refetch} />;
  if (!datasets.data) return <Loading />;
  if (!selected) return <Empty title="No dataset yet">Create a dataset first.</Empty>;
  return (
    <>
      <div className="page-head">
        <h1>Training · {selected.name}</h1>
      </div>
      {hasRole(state, 'EDITOR') ? (
        <StartRunForm datasetId={selected.id} modalities={selected.modalities} />
      ) : null}
      <RunHistory datasetId={selected.id} />
      {hasRole(state, 'ADMIN') ? (
        <div className="two">
          <RetrainPolicyPanel datasetId={selected.id} />
          <WebhooksPanel datasetId={selected.id} />
        </div>
      ) : null}
    </>
  );
}
