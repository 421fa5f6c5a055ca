// Appends a custom section to a module: changes its bytes (and digest) without changing what it does.
// No Node imports, so the Workers tests can use it too.

/** Pads `module` with a custom section to about `targetBytes` (at least the section header). */
export function padWithCustomSection(module: Uint8Array, targetBytes: number): Uint8Array {
  const name = new TextEncoder().encode("helios.padding");
  const room = Math.max(0, targetBytes - module.length - name.length - 12);
  const payload = new Uint8Array(1 + name.length + room);
  payload[0] = name.length;
  payload.set(name, 1);
  const size = leb128(payload.length);
  const out = new Uint8Array(module.length + 1 + size.length + payload.length);
  out.set(module, 0);
  out[module.length] = 0; // custom section id
  out.set(size, module.length + 1);
  out.set(payload, module.length + 1 + size.length);
  return out;
}

function leb128(value: number): Uint8Array {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return new Uint8Array(bytes);
}

