// What to do about a refused module, where the cause is recognisable: a `hint` added to the violations of a deploy
// refusal (policy_violation). The refusal itself lists every problem at once (module-policy.ts); this only explains.

import { type CapabilityProfile, WASI_MODULE } from "../sandbox/index.ts";
import type { PolicyViolation } from "../wasm/index.ts";
import { LIMIT_CEILINGS } from "./limits.ts";

export interface HintedViolation extends PolicyViolation {
  /** What to change, when the cause is recognisable. */
  hint?: string;
}

/** Only what a hint needs to know about the module and the deploy. */
export interface HintContext {
  profile: CapabilityProfile;
  maxMemoryPages: number;
  /** Each memory's declared minimum, in pages. */
  memoryMinimums: number[];
}

const WASI_HINT =
  'this is a WASI module: deploy it with the "wasi" profile (profile=wasi, x-helios-profile: wasi, or "profile": ["wasi"] in the manifest; ' +
  'combine with others as "wasi,compute"). stdin is the request body and stdout the response (docs/abi.md, "WASI preview1")';
const ABORT_HINT =
  "env.abort is AssemblyScript's default abort handler, which the runtime does not provide: route it to the SDK's handler, " +
  'which logs the message and traps: `--use abort=modules/sdk/abort/heliosAbort` (or "use": ["abort=modules/sdk/abort/heliosAbort"] ' +
  "in asconfig.json, as modules/examples/asconfig.json does)";

function memoryHint(pages: number, context: HintContext): string {
  const ceiling = LIMIT_CEILINGS.maxMemoryPages;
  const raise =
    pages <= ceiling
      ? `raise maxMemoryPages to at least ${pages} (limits.maxMemoryPages in the manifest, maxMemoryPages=${pages} as a query parameter; at most ${ceiling})`
      : `maxMemoryPages cannot go above ${ceiling}`;
  return (
    `the module asks for ${pages} pages (${pages * 64} KiB) of memory at start, over maxMemoryPages ${context.maxMemoryPages}: ${raise}, ` +
    "or make its initial memory smaller. For Rust and C most of it is the stack the linker reserves (Rust's default is 1 MiB, 16 pages): " +
    "link with a smaller one, `-C link-arg=-zstack-size=65536` for rustc or `-Wl,-z,stack-size=65536` for clang"
  );
}

/** The violations with hints added where the cause is recognisable (the same objects' data, plus `hint`). */
export function withHints(violations: readonly PolicyViolation[], context: HintContext): HintedViolation[] {
  return violations.map((violation) => {
    const hint = hintFor(violation, context);
    return hint === undefined ? violation : { ...violation, hint };
  });
}

function hintFor(violation: PolicyViolation & { capability?: string; import?: string }, context: HintContext): string | undefined {
  if (violation.rule === "capability_missing" && violation.capability === "wasi") return WASI_HINT;
  if (violation.rule === "import_not_allowed" || violation.rule === "import_signature") {
    if (violation.message.includes(" env.abort ")) return ABORT_HINT;
    if (violation.message.includes(` ${WASI_MODULE}.`)) {
      return violation.rule === "import_signature"
        ? "WASI preview1 functions are linked with their witx signatures only: build against wasi_snapshot_preview1 as wasi-libc or Rust's std do"
        : "not a wasi_snapshot_preview1 function (preview1 has 46; preview2 and wasi-http are not supported): build for wasm32-wasi (preview1)";
    }
  }
  if (violation.rule === "memory_pages") {
    const index = Number(/memory (\d+) minimum/.exec(violation.message)?.[1] ?? 0);
    const pages = context.memoryMinimums[index] ?? 0;
    return memoryHint(pages, context);
  }
  return undefined;
}
