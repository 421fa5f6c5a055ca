// Rewrites the error table in docs/errors.md from the error catalogue (src/errors/catalogue.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importTypeScript, repoRoot } from "./lib/bench-support.mjs";

const { withErrorTable } = await importTypeScript("errors-doc", [`export { withErrorTable } from "./src/errors/errors-doc.ts";`]);
const path = join(repoRoot, "docs", "errors.md");
writeFileSync(path, withErrorTable(readFileSync(path, "utf8")));
console.log("docs/errors.md: error table regenerated");
