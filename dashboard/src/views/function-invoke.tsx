// The invoke playground: a request to the function as an HTTP handler (ANY /fn/:name[/path], typed client), with
// method, path and query, headers and body; shows the status, the usage headers (fuel, duration, memory, version,
// region, request id), the other headers and the body. A refused or failed invocation shows the API's code and message.

import { useState } from "preact/hooks";
import { ApiError, errorOf } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";

const METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];
const USAGE = [
  ["x-helios-fuel-used", "Fuel"],
  ["x-helios-duration-ms", "Duration (ms)"],
  ["x-helios-memory-pages", "Memory pages"],
  ["x-helios-version", "Version"],
  ["x-helios-region", "Region"],
  ["x-helios-request-id", "Request id"],
] as const;

/** ANY /fn/:name[/path] is served by catch-all routes outside the typed route chain (src/api/routes/fn.ts), so
 *  their shape is declared here; the same client builds the URL and sends the bearer header. */
type FnCall = (args: { param: Record<string, string>; query: Record<string, string> }, options: { headers: Record<string, string>; init: RequestInit }) => Promise<Response>;
type FnRoute = Record<`$${Lowercase<Method>}`, FnCall>;

interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
  error: ApiError | null;
}

/** "Name: value" lines; a line without a colon is refused by name. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ApiError("invalid_header", `not a "Name: value" header line: ${line}`, 0);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function FunctionInvoke({ name }: { name: string }) {
  const { api } = useSession();
  const [method, setMethod] = useState<Method>("POST");
  const [path, setPath] = useState("");
  const [headerText, setHeaderText] = useState("content-type: text/plain");
  const [body, setBody] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function send(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const headers = parseHeaders(headerText);
      const [rest, search = ""] = path.replace(/^\//, "").split("?", 2) as [string, string?];
      const query = Object.fromEntries(new URLSearchParams(search));
      const init = { body: method === "GET" || method === "DELETE" ? undefined : body };
      const fn = (api as unknown as { fn: { ":name": FnRoute & { ":path": FnRoute } } }).fn[":name"];
      const route = rest === "" ? fn : fn[":path"];
      const param: Record<string, string> = rest === "" ? { name } : { name, path: rest };
      const response = await route[`$${method.toLowerCase() as Lowercase<Method>}`]({ param, query }, { headers, init });
      const isError = !response.ok && (response.headers.get("content-type") ?? "").startsWith("application/json");
      const copy = response.clone();
      setAnswer({ status: response.status, headers: [...response.headers], body: await response.text(), error: isError ? await errorOf(copy) : null });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const usage = answer ? USAGE.map(([header, label]) => [label, answer.headers.find(([h]) => h === header)?.[1]] as const).filter(([, v]) => v !== undefined) : [];
  return (
    <div class="invoke">
      <form class="playground" onSubmit={send}>
        <div class="row">
          <label for="invoke-method">Method</label>
          <select id="invoke-method" value={method} onChange={(e) => setMethod(e.currentTarget.value as Method)}>
            {METHODS.map((m) => <option key={m}>{m}</option>)}
          </select>
          <label for="invoke-path">Path</label>
          <span class="path-prefix mono">/fn/{name}/</span>
          <input id="invoke-path" class="mono" placeholder="optional/path?query=1" value={path} onInput={(e) => setPath(e.currentTarget.value)} />
        </div>
        <label for="invoke-headers">Headers</label>
        <textarea id="invoke-headers" class="mono" rows={3} value={headerText} onInput={(e) => setHeaderText(e.currentTarget.value)} />
        <p class="hint">One "Name: value" a line. The dashboard's token is not sent to the function.</p>
        <label for="invoke-body">Body</label>
        <textarea id="invoke-body" class="mono" rows={5} value={body} disabled={method === "GET" || method === "DELETE"} onInput={(e) => setBody(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? "Invoking…" : "Invoke"}</button>
      </form>
      <ErrorBox error={error} />
      {answer && (
        <section class="answer" aria-label="Response">
          <h3>Response <span class={answer.status < 400 ? "status ok" : "status bad"} data-status={answer.status}>{answer.status}</span></h3>
          <ErrorBox error={answer.error} />
          <dl class="usage">
            {usage.map(([label, value]) => <div key={label} data-usage={label}><dt>{label}</dt><dd>{value}</dd></div>)}
          </dl>
          <h4>Body</h4>
          <pre class="response-body" data-testid="response-body">{answer.body}</pre>
          <details>
            <summary>Headers ({answer.headers.length})</summary>
            <ul class="mono">{answer.headers.map(([h, v]) => <li key={h}>{h}: {v}</li>)}</ul>
          </details>
        </section>
      )}
    </div>
  );
}
