// Module-level index checks: every index a section declares must point at something that exists.
import { MalformedModuleError } from "./errors.ts";
import type { CodeContext } from "./scanner.ts";
import type { WasmModule } from "./types.ts";

/**
 * V8 checks all of this too; doing it here turns "invalid module" into a message that names the
 * index. Offsets are not tracked per entry, so errors point at the start of the module (0).
 */
export function checkModuleIndices(m: WasmModule, ctx: CodeContext): void {
  const fail = (message: string): never => {
    throw new MalformedModuleError(message, 0);
  };
  const functionCount = ctx.functionTypes.length;
  for (const imp of m.imports) {
    const d = imp.desc;
    if ((d.kind === "func" || d.kind === "tag") && d.typeIndex >= ctx.typeCount) {
      fail(`import ${imp.module}.${imp.name} has unknown type index ${d.typeIndex}`);
    }
  }
  m.functions.forEach((t, i) => {
    if (t >= ctx.typeCount) fail(`function ${ctx.importedFunctionCount + i} has unknown type index ${t}`);
  });
  m.tags.forEach((t, i) => {
    if (t >= ctx.typeCount) fail(`tag ${i} has unknown type index ${t}`);
  });
  const spaces = {
    func: functionCount,
    table: ctx.tableCount,
    memory: ctx.hasMemory ? 1 : 0,
    global: ctx.globalCount,
    tag: ctx.tagCount,
  };
  const names = new Set<string>();
  for (const e of m.exports) {
    if (e.index >= spaces[e.kind]) fail(`export "${e.name}" refers to unknown ${e.kind} ${e.index}`);
    if (names.has(e.name)) fail(`duplicate export name "${e.name}"`);
    names.add(e.name);
  }
  if (m.start !== null && m.start >= functionCount) fail(`start function ${m.start} does not exist`);
  m.elements.forEach((seg, i) => {
    if ((seg.flags & 1) === 0 && seg.tableIndex >= ctx.tableCount) fail(`element segment ${i} targets unknown table ${seg.tableIndex}`);
    for (const f of seg.funcIndices ?? []) {
      if (f >= functionCount) fail(`element segment ${i} refers to unknown function ${f}`);
    }
  });
  m.data.forEach((seg, i) => {
    if (seg.flags !== 1 && !ctx.hasMemory) fail(`data segment ${i} is active but the module has no memory`);
  });
}
