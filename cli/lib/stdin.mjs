// Reading all of stdin (payloads, tokens) as bytes.

/** @param {AsyncIterable<Buffer | string>} stream @returns {Promise<Buffer>} */
export async function readBytes(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
