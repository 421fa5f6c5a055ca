// The WASI hostile corpus (src/sandbox/fixtures/wasi/*.wat) as API test guests named `wasi-<case>`, with the outcome
// each documents in its leading comment. Node only (reads the files); listed in GUEST_WAT (guest-modules.ts).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../../src/sandbox/fixtures/wasi/", import.meta.url));

export const WASI_GUEST_WAT: Record<`wasi-${string}`, string> = Object.fromEntries(
  readdirSync(DIR)
    .filter((file) => file.endsWith(".wat"))
    .map((file) => [`wasi-${file.slice(0, -".wat".length).replace(/_/g, "-")}`, readFileSync(join(DIR, file), "utf8")]),
);
