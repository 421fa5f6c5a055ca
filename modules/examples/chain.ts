// Calls the function named by config "target" in the region named by config "region" (default: its own) with the
// payload, and reports what came back. Capability: invoke.
// Output: {"via","status","error","output"}: the region it ran in, the host status, its name, the callee's output.

export { helios_alloc } from "../sdk";
import { config, edgeInvoke, input, JsonValue, outputJson, regionName } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const target = config.getOr("target", "hello");
  const region = config.getOr("region", "");
  const result = edgeInvoke(target, input(ptr, len), region);
  return outputJson(
    JsonValue.object()
      .set("via", JsonValue.string(regionName()))
      .set("status", JsonValue.number(<f64>result.status))
      .set("error", JsonValue.string(result.error))
      .set("output", JsonValue.string(result.ok ? result.text() : "")),
  );
}
