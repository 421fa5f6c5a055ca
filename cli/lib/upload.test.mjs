import { describe, expect, it } from "vitest";
import { countingStream, formatBytes, multipartBody, progressReporter } from "./upload.mjs";

async function drain(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

describe("multipartBody", () => {
  it("frames a manifest part and a module part that a standard multipart parser reads back byte for byte", async () => {
    const module = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff); // every byte value, CR and LF included
    const manifest = { sha256: "ab".repeat(32), regions: ["wnam"], config: { quote: 'a "b"\r\n' } };
    const { body, contentType } = multipartBody(manifest, module, 'we"ird.wasm');
    const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    expect(JSON.parse(String(form.get("manifest")))).toEqual(manifest);
    const part = form.get("module");
    expect(part.type).toBe("application/wasm");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(module);
  });
});

describe("countingStream", () => {
  it("hands out every byte in chunks and reports the running count up to the total", async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => i & 0xff);
    const seen = [];
    const out = await drain(countingStream(bytes, (sent, total) => seen.push([sent, total]), 4096));
    expect(out).toEqual(bytes);
    expect(seen).toEqual([[4096, 10_000], [8192, 10_000], [10_000, 10_000]]);
  });
});

describe("progressReporter", () => {
  it("writes a line per quarter when not on a terminal, ending at 100%", () => {
    const lines = [];
    const report = progressReporter({ write: (s) => lines.push(s), isTTY: false }, "uploading fn");
    for (let sent = 0; sent <= 4 * 1024 * 1024; sent += 256 * 1024) report(sent, 4 * 1024 * 1024);
    expect(lines).toEqual([
      "uploading fn 0 B / 4.00 MiB (0%)\n",
      "uploading fn 1.00 MiB / 4.00 MiB (25%)\n",
      "uploading fn 2.00 MiB / 4.00 MiB (50%)\n",
      "uploading fn 3.00 MiB / 4.00 MiB (75%)\n",
      "uploading fn 4.00 MiB / 4.00 MiB (100%)\n",
    ]);
  });

  it("rewrites one line on a terminal and ends it when done", () => {
    const written = [];
    const report = progressReporter({ write: (s) => written.push(s), isTTY: true }, "up");
    report(512, 1024);
    report(1024, 1024);
    expect(written).toEqual(["\rup 512 B / 1.0 KiB (50%)", "\rup 1.0 KiB / 1.0 KiB (100%)\n"]);
    expect(formatBytes(1536)).toBe("1.5 KiB");
  });
});
