// Decodes a binary module into the WasmModule model, checking structure, section order and sizes.
import { UnsupportedFeatureError } from "./errors.ts";
import { readValType } from "./instruction.ts";
import { readConstExpr, readDataSegment, readElementSegment, readIndex, skipDataSegments, type Spaces } from "./segments.ts";
import { Reader } from "./reader.ts";
import {
  EXTERNAL_KIND_NAMES,
  type FuncType,
  type FunctionBody,
  type GlobalType,
  type ImportDesc,
  type Limits,
  type LocalGroup,
  SECTION_RANK,
  SectionId,
  type TableType,
  type WasmModule,
  emptyModule,
  isRefType,
} from "./types.ts";

export const WASM_MAGIC = 0x6d736100; // "\0asm" little-endian
export const WASM_VERSION = 1;

/** V8's own ceilings (src/wasm/wasm-limits.h); beyond them V8 rejects the module anyway. */
export const V8_LIMITS = {
  types: 1_000_000,
  functions: 1_000_000,
  imports: 100_000,
  exports: 100_000,
  globals: 1_000_000,
  tags: 1_000_000,
  dataSegments: 100_000,
  elementSegments: 10_000_000,
  locals: 50_000,
  functionSize: 7_654_321,
  params: 1_000,
  returns: 1_000,
  memoryPages: 65_536,
  tableSize: 10_000_000,
  tables: 100_000,
} as const;

function readLimits(r: Reader, what: "memory" | "table"): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags === 0x02 || flags === 0x03) throw new UnsupportedFeatureError("threads (shared memory)", at);
  if (flags >= 0x04 && flags <= 0x07) throw new UnsupportedFeatureError(what === "memory" ? "memory64" : "table64", at);
  if (flags & 0x08) throw new UnsupportedFeatureError("custom-page-sizes", at);
  if (flags > 0x01) r.fail(`invalid ${what} limits flags 0x${flags.toString(16)}`, at);
  const min = r.u32();
  const max = flags === 0x01 ? r.u32() : null;
  if (max !== null && max < min) r.fail(`${what} maximum ${max} is below its minimum ${min}`, at);
  if (what === "memory" && min > V8_LIMITS.memoryPages) r.fail(`memory minimum ${min} pages exceeds 65536`, at);
  if (what === "memory" && max !== null && max > V8_LIMITS.memoryPages) r.fail(`memory maximum ${max} pages exceeds 65536`, at);
  return { min, max };
}

function readTableType(r: Reader): TableType {
  const at = r.pos;
  if (r.bytes[r.pos] === 0x40 && r.pos < r.end) throw new UnsupportedFeatureError("function-references (table initializer)", at);
  const elemType = readValType(r);
  if (!isRefType(elemType)) r.fail("table element type must be a reference type", at);
  return { elemType, limits: readLimits(r, "table") };
}

function readGlobalType(r: Reader): GlobalType {
  const valType = readValType(r);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) r.fail(`invalid global mutability ${mut}`, at);
  return { valType, mutable: mut === 1 };
}

/** Type index of function `index` (imports first), both already range-checked. */
function startFunctionType(m: WasmModule, index: number): number {
  let imported = 0;
  for (const imp of m.imports) {
    if (imp.desc.kind !== "func") continue;
    if (imported++ === index) return imp.desc.typeIndex;
  }
  return m.functions[index - imported];
}

function readTypeSection(r: Reader, m: WasmModule): void {
  const n = r.count(1);
  if (n > V8_LIMITS.types) r.fail(`too many types (${n})`);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const form = r.u8();
    if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5f || form === 0x5e) {
      throw new UnsupportedFeatureError("gc (type definitions)", at);
    }
    if (form !== 0x60) r.fail(`unknown type form 0x${form.toString(16)}`, at);
    const type: FuncType = { params: [], results: [] };
    const np = r.count(1);
    if (np > V8_LIMITS.params) r.fail(`too many parameters (${np})`, at);
    for (let j = 0; j < np; j++) type.params.push(readValType(r));
    const nr = r.count(1);
    if (nr > V8_LIMITS.returns) r.fail(`too many results (${nr})`, at);
    for (let j = 0; j < nr; j++) type.results.push(readValType(r));
    m.types.push(type);
  }
}

function readTypeIndex(r: Reader, spaces: Spaces, what: string): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= spaces.types) r.fail(`${what} refers to unknown type ${index}`, at);
  return index;
}

function readImportSection(r: Reader, m: WasmModule, spaces: Spaces): void {
  const n = r.count(4);
  if (n > V8_LIMITS.imports) r.fail(`too many imports (${n})`);
  for (let i = 0; i < n; i++) {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    let desc: ImportDesc;
    switch (kind) {
      case 0:
        desc = { kind: "func", typeIndex: readTypeIndex(r, spaces, `import ${module}.${name}`) };
        spaces.functions++;
        break;
      case 1:
        desc = { kind: "table", type: readTableType(r) };
        spaces.tables++;
        break;
      case 2:
        if (spaces.memories > 0) throw new UnsupportedFeatureError("multi-memory", at);
        desc = { kind: "memory", limits: readLimits(r, "memory") };
        spaces.memories++;
        break;
      case 3:
        desc = { kind: "global", type: readGlobalType(r) };
        spaces.globals++;
        break;
      case 4: {
        const attrAt = r.pos;
        if (r.u8() !== 0) r.fail("tag attribute must be 0", attrAt);
        desc = { kind: "tag", typeIndex: readTypeIndex(r, spaces, `import ${module}.${name}`) };
        spaces.tags++;
        break;
      }
      default:
        return r.fail(`unknown import kind ${kind}`, at);
    }
    m.imports.push({ module, name, desc });
  }
}

function readFunctionBody(r: Reader): FunctionBody {
  const sizeAt = r.pos;
  const size = r.u32();
  const sizeWidth = r.pos - sizeAt;
  if (size > r.remaining) r.fail(`function body size ${size} runs past the end of the code section`, sizeAt);
  if (size > V8_LIMITS.functionSize) r.fail(`function body of ${size} bytes exceeds the engine limit`, sizeAt);
  const end = r.pos + size;
  const body = new Reader(r.bytes, r.pos, end);
  const widthAt = body.pos;
  const groups = body.count(2);
  // Sized up front: growing by push would allocate twice per array, for each of thousands of bodies.
  const localWidths: number[] = new Array(groups + 1);
  localWidths[0] = body.pos - widthAt;
  const locals: LocalGroup[] = new Array(groups);
  let total = 0;
  for (let i = 0; i < groups; i++) {
    const at = body.pos;
    const count = body.u32();
    localWidths[i + 1] = body.pos - at;
    total += count;
    if (total > V8_LIMITS.locals) body.fail(`too many locals (${total})`, at);
    locals[i] = { count, type: readValType(body) };
  }
  if (body.atEnd()) body.fail("function body has no code");
  if (r.bytes[end - 1] !== 0x0b) r.fail("function body does not end with `end`", end - 1);
  r.pos = end;
  return { locals, code: r.bytes.subarray(body.pos, end), codeOffset: body.pos, sizeWidth, localWidths };
}

/**
 * Decodes `bytes` into a WasmModule. Function bodies are split into locals and raw code; the
 * code itself is checked instruction by instruction by the function scanner (scanner.ts).
 */
export interface DecodeOptions {
  /**
   * Keep the data segments in `data` (the default), or only check them and count them in
   * `dataSegmentCount`, leaving `data` empty: for callers that copy the data section byte for
   * byte, as the instrumenter does. A large module has thousands of segments, and making a
   * segment object and two views for each is a good part of decoding while the process is cold.
   */
  keepData?: boolean;
}

export function decodeModule(bytes: Uint8Array, options: DecodeOptions = {}): WasmModule {
  const keepData = options.keepData ?? true;
  const r = new Reader(bytes);
  if (bytes.length < 8) r.fail("module is shorter than the 8-byte header", 0);
  const magic = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  if (magic >>> 0 !== WASM_MAGIC) r.fail("bad magic number (not a WebAssembly module)", 0);
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== WASM_VERSION) {
    if (version === 0x0d || bytes[6] === 0x01) throw new UnsupportedFeatureError("component model", 4);
    r.fail(`unsupported binary version ${version}`, 4);
  }
  r.pos = 8;

  const m = emptyModule();
  m.layout = [];
  const spaces: Spaces = { types: 0, functions: 0, tables: 0, globals: 0, tags: 0, memories: 0 };
  let lastRank = 0;
  let functionCount: number | null = null;
  while (!r.atEnd()) {
    const idAt = r.pos;
    const id = r.u8();
    const sizeAt = r.pos;
    const size = r.u32();
    const sizeWidth = r.pos - sizeAt;
    if (size > r.remaining) r.fail(`section ${id} size ${size} runs past the end of the module`, sizeAt);
    const end = r.pos + size;
    const s = new Reader(bytes, r.pos, end);
    if (id === SectionId.custom) {
      const name = s.name();
      m.layout.push({ id, custom: m.customSections.length, sizeWidth, start: idAt, end });
      m.customSections.push({ name, payload: bytes.subarray(s.pos, end) });
      r.pos = end;
      continue;
    }
    const rank = SECTION_RANK[id];
    if (rank === undefined) r.fail(`unknown section id ${id}`, idAt);
    if (rank <= lastRank) r.fail(`section ${id} is out of order or repeated`, idAt);
    lastRank = rank;
    let leadWidth = 1;
    while (leadWidth < 5 && s.pos + leadWidth <= end && bytes[s.pos + leadWidth - 1] & 0x80) leadWidth++;
    m.layout.push({ id, sizeWidth, leadWidth, start: idAt, end });
    switch (id) {
      case SectionId.type:
        readTypeSection(s, m);
        spaces.types = m.types.length;
        break;
      case SectionId.import:
        readImportSection(s, m, spaces);
        break;
      case SectionId.function: {
        const n = s.count(1);
        if (n > V8_LIMITS.functions) s.fail(`too many functions (${n})`);
        for (let i = 0; i < n; i++) {
          // Inline rather than readTypeIndex: its label would be a string made for every function.
          const at = s.pos;
          const index = s.u32();
          if (index >= spaces.types) s.fail(`function ${spaces.functions + i} refers to unknown type ${index}`, at);
          m.functions.push(index);
        }
        functionCount = n;
        spaces.functions += n;
        break;
      }
      case SectionId.table: {
        const n = s.count(3);
        for (let i = 0; i < n; i++) m.tables.push(readTableType(s));
        spaces.tables += n;
        break;
      }
      case SectionId.memory: {
        const n = s.count(2);
        for (let i = 0; i < n; i++) {
          if (spaces.memories > 0) throw new UnsupportedFeatureError("multi-memory", s.pos);
          m.memories.push(readLimits(s, "memory"));
          spaces.memories++;
        }
        break;
      }
      case SectionId.tag: {
        const n = s.count(2);
        for (let i = 0; i < n; i++) {
          const at = s.pos;
          if (s.u8() !== 0) s.fail("tag attribute must be 0", at);
          m.tags.push(readTypeIndex(s, spaces, `tag ${spaces.tags + i}`));
        }
        spaces.tags += n;
        break;
      }
      case SectionId.global: {
        const n = s.count(3);
        if (n > V8_LIMITS.globals) s.fail(`too many globals (${n})`);
        for (let i = 0; i < n; i++) {
          m.globals.push({ type: readGlobalType(s), init: readConstExpr(s, spaces) });
          spaces.globals++;
        }
        break;
      }
      case SectionId.export: {
        const n = s.count(3);
        if (n > V8_LIMITS.exports) s.fail(`too many exports (${n})`);
        const names = new Set<string>();
        const limits = [spaces.functions, spaces.tables, spaces.memories, spaces.globals, spaces.tags];
        for (let i = 0; i < n; i++) {
          const nameAt = s.pos;
          const name = s.name();
          if (names.has(name)) s.fail(`duplicate export name "${name}"`, nameAt);
          names.add(name);
          const at = s.pos;
          const kind = s.u8();
          if (kind > 4) s.fail(`unknown export kind ${kind}`, at);
          m.exports.push({ name, kind: EXTERNAL_KIND_NAMES[kind], index: readIndex(s, limits[kind], `export "${name}": ${EXTERNAL_KIND_NAMES[kind]}`) });
        }
        break;
      }
      case SectionId.start: {
        const at = s.pos;
        m.start = readIndex(s, spaces.functions, "start function");
        // Checked here although type validity is otherwise V8's: the instrumenter exports the start
        // function instead of keeping the section, which would make a mistyped one valid.
        const type = m.types[startFunctionType(m, m.start)];
        if (type.params.length > 0 || type.results.length > 0) s.fail(`start function ${m.start} must have type [] -> [], but takes ${type.params.length} parameters and returns ${type.results.length} results`, at);
        break;
      }
      case SectionId.element: {
        const n = s.count(2);
        for (let i = 0; i < n; i++) m.elements.push(readElementSegment(s, spaces));
        break;
      }
      case SectionId.dataCount:
        m.dataCount = s.u32();
        break;
      case SectionId.code: {
        const n = s.count(2);
        if (n !== (functionCount ?? 0)) s.fail(`code section has ${n} bodies but the function section declares ${functionCount ?? 0}`, sizeAt);
        for (let i = 0; i < n; i++) m.code.push(readFunctionBody(s));
        break;
      }
      case SectionId.data: {
        const n = s.count(1);
        if (n > V8_LIMITS.dataSegments) s.fail(`too many data segments (${n})`);
        if (m.dataCount !== null && n !== m.dataCount) s.fail(`data section has ${n} segments but data count says ${m.dataCount}`, sizeAt);
        m.dataSegmentCount = n;
        if (keepData) for (let i = 0; i < n; i++) m.data.push(readDataSegment(s, spaces, true)!);
        else skipDataSegments(s, n, spaces);
        break;
      }
    }
    if (!s.atEnd()) s.fail(`section ${id} declares ${size} bytes but its contents end ${end - s.pos} bytes early`);
    r.pos = end;
  }
  if ((functionCount ?? 0) > 0 && m.code.length === 0) r.fail("function section without a code section", bytes.length);
  if (m.dataCount !== null && m.dataCount > 0 && m.dataSegmentCount === 0 && !m.layout.some((l) => l.id === SectionId.data)) {
    r.fail(`data count says ${m.dataCount} segments but there is no data section`, bytes.length);
  }
  return m;
}
