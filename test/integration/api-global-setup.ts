// Runs in Node before the "workers" project: compiles the API tests' guests (test/support/guest-modules.ts)
// and provides their bytes (base64) to the Workers tests via inject("apiGuests").

import type { TestProject } from "vitest/node";
import { compileGuests, type GuestName } from "../support/guest-modules.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiGuests: Record<GuestName, string>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const guests = await compileGuests();
  const encoded = Object.fromEntries(Object.entries(guests).map(([name, bytes]) => [name, Buffer.from(bytes).toString("base64")]));
  project.provide("apiGuests", encoded as Record<GuestName, string>);
}
