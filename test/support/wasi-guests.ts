// The WASI hostile corpus (src/sandbox/fixtures/wasi/*.wat) as API test guests named `wasi-<case>`, with the outcome
// each documents in its leading comment. Node only (reads the files); listed in GUEST_WAT (guest-modules.ts).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The corpus, found from this file upwards: the benchmarks load this module bundled into modules/build/.bench. */
function corpusDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "src", "sandbox", "fixtures", "wasi");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error("src/sandbox/fixtures/wasi not found above test/support");
  }
}
const DIR = corpusDir();

export const WASI_GUEST_WAT: Record<`wasi-${string}`, string> = Object.fromEntries(
  readdirSync(DIR)
    .filter((file) => file.endsWith(".wat"))
    .map((file) => [`wasi-${file.slice(0, -".wat".length).replace(/_/g, "-")}`, readFileSync(join(DIR, file), "utf8")]),
);
