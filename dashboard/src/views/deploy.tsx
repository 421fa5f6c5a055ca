// Deploy a module by drag and drop (or by choosing files, for the keyboard): a .wasm and optionally its
// helios.json manifest. The sha256 is computed here and sent in the manifest, as every client must; the answer shows
// the version (or that an identical deploy changed nothing), and a refused deploy its diagnostics, one per problem.

import { useState } from "preact/hooks";
import { ApiError, ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";

interface Picked {
  name: string;
  bytes: ArrayBuffer;
  sha256: string;
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function Deploy() {
  const { api } = useSession();
  const [module, setModule] = useState<Picked | null>(null);
  const [name, setName] = useState("");
  const [manifest, setManifest] = useState("{}");
  const [over, setOver] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ name: string; version: number; created: boolean; previous: number | null } | null>(null);
  const [busy, setBusy] = useState(false);

  async function take(files: FileList | null) {
    setError(null);
    for (const file of Array.from(files ?? [])) {
      if (file.name.endsWith(".json")) {
        setManifest(await file.text());
      } else {
        const bytes = await file.arrayBuffer();
        setModule({ name: file.name, bytes, sha256: await sha256Hex(bytes) });
        if (name === "") setName(file.name.replace(/\.wasm$/, "").toLowerCase().replace(/[^a-z0-9-]/g, "-"));
      }
    }
  }

  async function deploy(event: Event) {
    event.preventDefault();
    if (module === null) return setError(new ApiError("no_module", "drop or choose a .wasm module first", 0));
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(manifest || "{}") as Record<string, unknown>;
      } catch {
        throw new ApiError("invalid_manifest", "the manifest must be a JSON object (helios.json)", 0);
      }
      const form = new FormData();
      form.set("manifest", JSON.stringify({ ...fields, sha256: module.sha256 }));
      form.set("module", new Blob([module.bytes], { type: "application/wasm" }), module.name);
      // The body is the multipart form (the route reads it with its own capped parser; its schema documents it).
      const answer = await ok(api.v1.functions[":name"].$put({ param: { name } } as never, { init: { body: form } }));
      setResult({ name: answer.function.name, version: answer.function.version, created: answer.created, previous: answer.previousVersion });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="deploy-title">
      <div class="view-head"><h2 id="deploy-title">Deploy a module</h2></div>
      <form class="playground" onSubmit={deploy}>
        <div
          class={over ? "drop over" : "drop"}
          data-testid="drop-zone"
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); void take(e.dataTransfer?.files ?? null); }}
        >
          <p>Drop a <code>.wasm</code> module and optionally its <code>helios.json</code> here, or</p>
          <label for="deploy-files">Choose files</label>
          <input id="deploy-files" type="file" multiple accept=".wasm,.json,application/wasm,application/json" onChange={(e) => void take(e.currentTarget.files)} />
        </div>
        {module && <p data-testid="module-info">{module.name}: {module.bytes.byteLength.toLocaleString()} bytes, sha256 <code data-sha256={module.sha256}>{module.sha256}</code></p>}
        <label for="deploy-name">Function name</label>
        <input id="deploy-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="deploy-manifest">Manifest (helios.json: regions, profile, limits, private, config, …)</label>
        <textarea id="deploy-manifest" class="mono" rows={6} value={manifest} onInput={(e) => setManifest(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? "Deploying…" : "Deploy"}</button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <p class="notice" role="status">
          {result.created ? `Deployed ${result.name} v${result.version}` : `Unchanged: ${result.name} v${result.version} already has these bytes and settings`}
          {result.previous !== null && result.created ? ` (was v${result.previous})` : ""}. <a href={href("functions", result.name)}>Open {result.name}</a>
        </p>
      )}
    </section>
  );
}
