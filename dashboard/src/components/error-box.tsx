// An API error as the API said it: its stable code and its message (role=alert, so screen readers announce it), and
// the itemised problems some errors carry (a refused deploy's `violations`, an invalid request's `issues`).

import { ApiError } from "../api.ts";

interface Item {
  rule?: string;
  field?: string;
  message?: string;
  hint?: string;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const e = error instanceof ApiError ? error : new ApiError("client_error", String((error as Error)?.message ?? error), 0);
  const items = [e.fields.violations, e.fields.issues].find(Array.isArray) as Item[] | undefined;
  return (
    <div class="error" role="alert">
      <code class="error-code">{e.code}</code> <span class="error-message">{e.message}</span>
      {items && items.length > 0 && (
        <ul class="error-items">
          {items.map((item, i) => (
            <li key={i} data-rule={item.rule ?? item.field}>
              {(item.rule ?? item.field) && <code>{item.rule ?? item.field}</code>} {item.message}
              {item.hint && <span class="hint"> {item.hint}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
