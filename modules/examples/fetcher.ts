// Fetches the URL in the payload (GET, or POST with a body after the first line) through the runtime's gateway:
// only hosts on the function's allow-list are reached. Capability: network.
// Output: {"status","error","contentType","body"}; status is the HTTP status, or the negative host status.

export { helios_alloc, helios_dealloc } from "../sdk";
import { httpFetch, inputString, JsonValue, outputJson } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const text = inputString(ptr, len);
  const newline = text.indexOf("\n");
  const url = newline < 0 ? text : text.substring(0, newline);
  const response =
    newline < 0
      ? httpFetch(url)
      : httpFetch(url, "POST", "content-type: text/plain", Uint8Array.wrap(String.UTF8.encode(text.substring(newline + 1), false)));
  const contentType = response.header("content-type");
  return outputJson(
    JsonValue.object()
      .set("status", JsonValue.number(<f64>response.status))
      .set("error", JsonValue.string(response.error))
      .set("contentType", contentType !== null ? JsonValue.string(contentType) : JsonValue.null())
      .set("body", JsonValue.string(response.text())),
  );
}
