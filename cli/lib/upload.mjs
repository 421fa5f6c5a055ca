// The deploy upload: a multipart body (manifest part, module part) framed here rather than by FormData, so its
// bytes can be streamed in chunks and counted as fetch pulls them: that count drives the progress display.

import { randomBytes } from "node:crypto";

export const UPLOAD_CHUNK_BYTES = 64 * 1024;

/**
 * @param {Record<string, unknown>} manifest @param {Uint8Array} module @param {string} filename
 * @returns {{ body: Uint8Array, contentType: string }}
 */
export function multipartBody(manifest, module, filename) {
  const boundary = `helios-${randomBytes(12).toString("hex")}`;
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${boundary}\r\ncontent-disposition: form-data; name="manifest"\r\ncontent-type: application/json\r\n\r\n` +
      `${JSON.stringify(manifest)}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="module"; filename="${filename.replace(/["\r\n\\]/g, "_")}"\r\n` +
      `content-type: application/wasm\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + module.length + tail.length);
  body.set(head, 0);
  body.set(module, head.length);
  body.set(tail, head.length + module.length);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A stream over `bytes` that reports how many bytes were handed to the reader so far.
 * @param {Uint8Array} bytes @param {(sent: number, total: number) => void} onProgress
 */
export function countingStream(bytes, onProgress, chunkBytes = UPLOAD_CHUNK_BYTES) {
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(offset + chunkBytes, bytes.length);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
      onProgress(offset, bytes.length);
    },
  });
}

/**
 * Progress on a terminal: one line rewritten in place; elsewhere (logs, CI): a line at each quarter, only when asked
 * or for large uploads, so small deploys in scripts stay quiet.
 * @param {{ write: (s: string) => unknown, isTTY?: boolean }} stream @param {string} label
 */
export function progressReporter(stream, label) {
  let lastQuarter = -1;
  return (/** @type {number} */ sent, /** @type {number} */ total) => {
    const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
    const text = `${label} ${formatBytes(sent)} / ${formatBytes(total)} (${percent}%)`;
    if (stream.isTTY) {
      stream.write(`\r${text}${sent >= total ? "\n" : ""}`);
      return;
    }
    const quarter = Math.floor(percent / 25);
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      stream.write(`${text}\n`);
    }
  };
}

/** @param {number} n */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}
