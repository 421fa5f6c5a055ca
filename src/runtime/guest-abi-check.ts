// Deploy-time check that a module exports what the guest ABI (docs/abi.md) requires, with the right signatures.

import {
  ALLOC_EXPORT,
  DEALLOC_EXPORT,
  type GuestEntryKind,
  guestEntryKind,
  HANDLE_REQUEST_EXPORT,
  HANDLER_EXPORT,
  MEMORY_EXPORT,
  WASI_INITIALIZE_EXPORT,
  WASI_START_EXPORT,
} from "../sandbox/index.ts";
import { type FuncSig, formatSig, type PolicyViolation, valTypeName, type WasmModule } from "../wasm/index.ts";

type RequiredFunction = { name: string; type: FuncSig; optional?: true };

const NO_ARGS: FuncSig = { params: [], results: [] };
const ALLOCATOR: RequiredFunction[] = [
  { name: ALLOC_EXPORT, type: { params: ["i32"], results: ["i32"] } },
  { name: DEALLOC_EXPORT, type: { params: ["i32", "i32"], results: [] }, optional: true },
];
const OPTIONAL_ALLOCATOR = ALLOCATOR.map((f): RequiredFunction => ({ ...f, optional: true }));
const INITIALIZE: RequiredFunction = { name: WASI_INITIALIZE_EXPORT, type: NO_ARGS, optional: true };

/** What each way of running a module (guest-abi.ts `guestEntryKind`) needs it to export. */
const REQUIRED_FUNCTIONS: Record<GuestEntryKind, RequiredFunction[]> = {
  v1: [ALLOCATOR[0], { name: HANDLER_EXPORT, type: { params: ["i32", "i32"], results: ["i64"] } }, ALLOCATOR[1], INITIALIZE],
  v2: [{ name: HANDLE_REQUEST_EXPORT, type: NO_ARGS }, INITIALIZE, ...OPTIONAL_ALLOCATOR],
  command: [{ name: WASI_START_EXPORT, type: NO_ARGS }, ...OPTIONAL_ALLOCATOR],
};

/** What `module` (decodeModule's decoding of a module's bytes) lacks of the guest ABI's exports, as policy violations. */
export function checkGuestAbi(module: WasmModule): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const exportNamed = (name: string) => module.exports.find((e) => e.name === name);

  if (exportNamed(MEMORY_EXPORT)?.kind !== "memory") {
    violations.push({ rule: "abi_export_missing", message: `the module must export its memory as "${MEMORY_EXPORT}"` });
  }
  const kind = guestEntryKind((name) => exportNamed(name)?.kind === "func");
  for (const required of REQUIRED_FUNCTIONS[kind]) {
    const exported = exportNamed(required.name);
    const expected = formatSig(required.type);
    if (exported === undefined && required.optional) continue;
    if (exported?.kind !== "func") {
      violations.push({ rule: "abi_export_missing", message: `the module must export a function "${required.name}" ${expected}` });
      continue;
    }
    const actual = formatSig(functionSig(module, exported.index));
    if (actual !== expected) {
      violations.push({ rule: "abi_export_signature", message: `export "${required.name}" must have type ${expected}, not ${actual}` });
    }
  }
  return violations;
}

/** Signature of function `index` in the function index space (imported functions first). */
function functionSig(module: WasmModule, index: number): FuncSig {
  const importedTypes = module.imports.flatMap((i) => (i.desc.kind === "func" ? [i.desc.typeIndex] : []));
  const typeIndex = index < importedTypes.length ? importedTypes[index] : module.functions[index - importedTypes.length];
  const type = module.types[typeIndex];
  return { params: type.params.map((p) => valTypeName(p)!), results: type.results.map((r) => valTypeName(r)!) };
}
