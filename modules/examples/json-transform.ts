// Summarizes an order: {"customer":"ada","items":[{"sku":"A1","price":2.5,"qty":2}, ...]}
//   -> {"customer":"ADA","lines":1,"units":2,"total":5}
// Invalid JSON gets {"error":"invalid JSON: <reason>","offset":<n>} instead.

export { helios_alloc } from "../sdk";
import { inputString, JsonKind, JsonValue, outputString, parseJson } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const parsed = parseJson(inputString(ptr, len));
  if (!parsed.ok) {
    const failure = JsonValue.object()
      .set("error", JsonValue.string("invalid JSON: " + parsed.error))
      .set("offset", JsonValue.number(<f64>parsed.offset));
    return outputString(failure.stringify());
  }
  const order = parsed.value!;
  const customer = order.get("customer");
  const items = order.get("items");
  let lines = 0;
  let units: f64 = 0;
  let total: f64 = 0;
  if (items !== null && items.kind == JsonKind.Array) {
    for (let i = 0; i < items.items.length; i++) {
      const item = items.items[i];
      const qty = item.get("qty");
      const price = item.get("price");
      const q = qty !== null ? qty.asNumber() : 0;
      lines++;
      units += q;
      total += q * (price !== null ? price.asNumber() : 0);
    }
  }
  const summary = JsonValue.object()
    .set("customer", JsonValue.string(customer !== null ? customer.asString().toUpperCase() : ""))
    .set("lines", JsonValue.number(<f64>lines))
    .set("units", JsonValue.number(units))
    .set("total", JsonValue.number(total));
  return outputString(summary.stringify());
}
