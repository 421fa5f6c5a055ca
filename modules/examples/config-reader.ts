// Reads a config key (the payload; "greeting" when empty) set at deploy, and says who and where it is.
// Capability: compute. Output: {"function","region","key","value"} with value null for an unset key.

export { helios_alloc } from "../sdk";
import { config, functionName, inputString, JsonValue, outputJson, regionName } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const key = len == 0 ? "greeting" : inputString(ptr, len);
  const value = config.get(key);
  const result = JsonValue.object()
    .set("function", JsonValue.string(functionName()))
    .set("region", JsonValue.string(regionName()))
    .set("key", JsonValue.string(key))
    .set("value", value !== null ? JsonValue.string(value) : JsonValue.null());
  return outputJson(result);
}
