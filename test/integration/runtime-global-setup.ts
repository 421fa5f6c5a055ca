// Runs in Node before the "workers" project: builds the sandbox bundle and the example modules, compiles the
// hand-written WAT guests, and provides every guest's bytes (base64) to the Workers tests via inject("runtimeGuests").

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { watToBytes } from "../../src/wasm/fixtures.ts";
import { CDC_GUEST_WAT } from "../support/cdc-guests.ts";
import { DB_GUEST_WAT } from "../support/db-guests.ts";
// @ts-expect-error plain ESM build script without type declarations
import { buildSandbox } from "../../scripts/build-sandbox.mjs";

const root = resolve(import.meta.dirname, "../..");

declare module "vitest" {
  export interface ProvidedContext {
    /** Guest module bytes (base64) by name: AS examples as `example:<name>`, WAT fixtures as `wat:<name>`. */
    runtimeGuests: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  await buildSandbox();
  execFileSync(process.execPath, [join(root, "scripts/build-modules.mjs")], { stdio: "inherit" });
  const guests: Record<string, string> = {};
  const examplesDir = join(root, "modules/build/examples");
  for (const file of existsSync(examplesDir) ? readdirSync(examplesDir) : []) {
    if (file.endsWith(".wasm")) guests[`example:${file.slice(0, -5)}`] = readFileSync(join(examplesDir, file)).toString("base64");
  }
  const watDir = join(root, "test/fixtures/guests");
  for (const file of readdirSync(watDir)) {
    if (!file.endsWith(".wat")) continue;
    const bytes = await watToBytes(readFileSync(join(watDir, file), "utf8"), [], { filename: file });
    guests[`wat:${file.slice(0, -4)}`] = Buffer.from(bytes).toString("base64");
  }
  for (const [name, wat] of Object.entries({ ...DB_GUEST_WAT, ...CDC_GUEST_WAT })) {
    guests[`wat:${name}`] = Buffer.from(await watToBytes(wat, [], { filename: `${name}.wat` })).toString("base64");
  }
  project.provide("runtimeGuests", guests);
}
