'use client';
/** Header, navigation, dataset picker and the sign-in guard around every page. */
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { DatasetProvider, useDatasets } from '../lib/datasets.tsx';
import { hasRole, SessionProvider, useSession } from '../lib/session.tsx';
import { Loading } from './states.tsx';

const NAV = [
  { href: '/search', label: 'Search', admin: false },
  { href: '/datasets', label: 'Datasets', admin: false },
  { href: '/training', label: 'Training', admin: false },
  { href: '/models', label: 'Models', admin: false },
  { href: '/keys', label: 'API keys', admin: true },
];

export function AppShell({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <Guard>{children}</Guard>
    </SessionProvider>
  );
}

function Guard({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const isSignIn = pathname === '/sign-in';

  useEffect(() => {
    if (state.status === 'signed-out' && !isSignIn) {
      router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
    }
  }, [state.status, isSignIn, pathname, router]);

  if (isSignIn) return <main className="page narrow">{children}</main>;
  if (state.status !== 'signed-in') {
    return (
      <main className="page narrow">
        <Loading label="Checking your key…" />
      </main>
    );
  }
  return (
    <DatasetProvider>
      <Header />
      <main className="page">{children}</main>
    </DatasetProvider>
  );
}

function Header() {
  const { state, signOut } = useSession();
  const pathname = usePathname();
  const isAdmin = hasRole(state, 'ADMIN');
  const me = state.status === 'signed-in' ? state.me : null;
  return (
    <header className="topbar">
      <div className="topbar-row">
        <Link href="/search" className="brand">
          Concord
        </Link>
        <DatasetPicker />
        <div className="who">
          {me ? (
            <span className={`badge role-${me.role.toLowerCase()}`} data-testid="role">
              {me.role.toLowerCase()}
            </span>
          ) : null}
          <button type="button" className="button ghost small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </div>
      <nav className="nav" aria-label="Main">
        {NAV.filter((item) => !item.admin || isAdmin).map((item) => (
          <Link
            key={item.href}
            href={item.href}
            className={pathname.startsWith(item.href) ? 'active' : undefined}
          >
            {item.label}
          </Link>
        ))}
      </nav>
    </header>
  );
}

function DatasetPicker() {
  const { datasets, selected, select } = useDatasets();
  const all = datasets.data?.datasets.edges.map((e) => e.node) ?? [];
  if (datasets.error) return <span className="muted small">Datasets unavailable</span>;
  if (!datasets.data) return <span className="muted small">Loading datasets…</span>;
  if (all.length === 0) return <span className="muted small">No datasets</span>;
  return (
    <label className="picker">
      <span className="sr-only">Dataset</span>
      <select
        value={selected?.id ?? ''}
        onChange={(e) => select(e.target.value)}
        data-testid="dataset-picker"
      >
        {all.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
    </label>
  );
}
