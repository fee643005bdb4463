'use client';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from '../../lib/client.ts';
import { useSession } from '../../lib/session.tsx';

export default function SignInPage() {
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}

function SignInForm() {
  const { signIn } = useSession();
  const router = useRouter();
  const params = useSearchParams();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
      const next = params.get('next');
      router.replace(next?.startsWith('/') && next !== '/sign-in' ? next : '/search');
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <section className="panel sign-in">
      <h1>Sign in to Concord</h1>
      <p className="muted">
        Paste an API key. The first start of the API prints an admin key; admins create more under
        API keys. The key stays in this browser tab only.
      </p>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>
          API key
          <input
            type="password"
            name="apiKey"
            autoComplete="off"
            required
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="ck_…"
          />
        </label>
        {error ? (
          <p className="field-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
