// Signed out, this is all the dashboard shows. The token is checked with an authenticated API call before it is
// kept; a refused token shows the API's code and message and is not stored.

import { useRef, useState } from "preact/hooks";
import { apiClient, ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";

export function SignIn({ onSignedIn }: { onSignedIn(token: string): void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const token = input.current!.value.trim();
    setBusy(true);
    setError(null);
    try {
      await ok(apiClient(token).v1.functions.$get());
      onSignedIn(token);
    } catch (e) {
      setError(e);
      input.current!.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Helios Edge</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" required ref={input} autofocus />
        <p class="hint">The admin token or a scoped token. It is kept in this tab's session storage only.</p>
        <button type="submit" disabled={busy}>{busy ? "Checking…" : "Sign in"}</button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}
