// An API error as the API said it: its stable code and its message (role=alert, so screen readers announce it).

import { ApiError } from "../api.ts";

export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const e = error instanceof ApiError ? error : new ApiError("client_error", String((error as Error)?.message ?? error), 0);
  return (
    <div class="error" role="alert">
      <code class="error-code">{e.code}</code> <span class="error-message">{e.message}</span>
    </div>
  );
}
