// Policy checks: caller-given limits and the import allow-list, applied to an inspected module.
import { PolicyViolationError, type PolicyViolation } from "./errors.ts";
import { RESERVED_EXPORT_PREFIX } from "./fuel.ts";
import type { FuncSig, ModuleInfo } from "./inspector.ts";

export interface AllowedImport {
  module: string;
  name: string;
  type: FuncSig;
}

export interface ModulePolicy {
  maxModuleBytes: number;
  /** Imported plus defined functions. */
  maxFunctions: number;
  /** Parameters plus declared locals of any one function. */
  maxLocalsPerFunction: number;
  maxTables: number;
  /** Initial size of any table, and its maximum once clamped. */
  maxTableElements: number;
  maxDataSegments: number;
  /** A declared minimum above this is refused; a larger or missing maximum is clamped by the instrumenter. */
  maxMemoryPages: number;
  maxGlobals: number;
  /** Only function imports can be allowed; any other import kind is refused. */
  allowedImports: AllowedImport[];
}

function sameSig(a: FuncSig, b: FuncSig): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) &&
    a.results.every((r, i) => r === b.results[i])
  );
}

export function formatSig(sig: FuncSig): string {
  return `(${sig.params.join(", ")}) -> (${sig.results.join(", ")})`;
}

/** Every rule the module breaks (empty when it complies). */
export function checkPolicy(info: ModuleInfo, policy: ModulePolicy): PolicyViolation[] {
  const v: PolicyViolation[] = [];
  const over = (rule: string, what: string, actual: number, limit: number): void => {
    if (actual > limit) v.push({ rule, message: `${what} is ${actual}, above the limit of ${limit}` });
  };
  over("module_size", "module size in bytes", info.size, policy.maxModuleBytes);
  over("functions", "function count", info.functionCount, policy.maxFunctions);
  over("locals", "locals in one function", info.maxLocals, policy.maxLocalsPerFunction);
  over("tables", "table count", info.tables.length, policy.maxTables);
  over("data_segments", "data segment count", info.dataSegmentCount, policy.maxDataSegments);
  over("globals", "global count", info.globals.length, policy.maxGlobals);
  info.tables.forEach((t, i) => over("table_elements", `table ${i} initial size`, t.min, policy.maxTableElements));
  info.memories.forEach((mem, i) => over("memory_pages", `memory ${i} minimum pages`, mem.min, policy.maxMemoryPages));

  for (const imp of info.imports) {
    const where = `import ${imp.module}.${imp.name}`;
    if (imp.kind !== "func") {
      v.push({ rule: "import_kind", message: `${where} imports a ${imp.kind}; only functions may be imported` });
      continue;
    }
    const allowed = policy.allowedImports.find((a) => a.module === imp.module && a.name === imp.name);
    const sig = imp.type as FuncSig;
    if (!allowed) v.push({ rule: "import_not_allowed", message: `${where} is not an allowed import` });
    else if (!sameSig(allowed.type, sig)) {
      v.push({ rule: "import_signature", message: `${where} has signature ${formatSig(sig)}, expected ${formatSig(allowed.type)}` });
    }
  }
  for (const e of info.exports) {
    if (e.name.startsWith(RESERVED_EXPORT_PREFIX)) {
      v.push({ rule: "reserved_export", message: `export name "${e.name}" is reserved for the runtime` });
    }
  }
  return v;
}

export function assertPolicy(info: ModuleInfo, policy: ModulePolicy): void {
  const violations = checkPolicy(info, policy);
  if (violations.length > 0) throw new PolicyViolationError(violations);
}
