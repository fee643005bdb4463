'use client';
/**
 * Who is signed in: the API key (sessionStorage) and what the API says it is (`me`). The role
 * decides which actions the pages show; the API enforces the same roles on every call.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { MeDocument, type MeQuery, type Role } from '../generated/graphql.ts';
import { execute } from './client.ts';
import { readApiKey, writeApiKey } from './session-storage.ts';

export type Me = NonNullable<MeQuery['me']>;

type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; me: Me };

interface Session {
  state: SessionState;
  signIn: (key: string) => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

const RANK: Record<Role, number> = { VIEWER: 1, EDITOR: 2, ADMIN: 3 };

/** Whether the signed-in key has at least `role`. */
export function hasRole(state: SessionState, role: Role): boolean {
  return state.status === 'signed-in' && RANK[state.me.role] >= RANK[role];
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    const key = readApiKey();
    if (!key) {
      setState({ status: 'signed-out' });
      return;
    }
    execute(MeDocument, {}, { key }).then(
      ({ me }) => setState(me ? { status: 'signed-in', me } : { status: 'signed-out' }),
      () => {
        writeApiKey(null);
        setState({ status: 'signed-out' });
      },
    );
  }, []);

  const signIn = useCallback(async (key: string) => {
    const { me } = await execute(MeDocument, {}, { key });
    if (!me) throw new Error('The API did not recognise this key.');
    writeApiKey(key);
    setState({ status: 'signed-in', me });
  }, []);

  const signOut = useCallback(() => {
    writeApiKey(null);
    setState({ status: 'signed-out' });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
