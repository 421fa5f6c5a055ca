// A BEFORE INSERT/UPDATE trigger on `orders` (registered by npm start): the payload is
//   {"op":"insert"|"update"|"delete","table":"orders","old":{...}|null,"new":{...}|null}
// and the answer a verdict. An order with a negative total is rejected with a message (the write fails with
// 422 trigger_rejected and nothing is written); anything else is accepted. Triggers fail closed: a payload this
// function cannot read is rejected too, saying why.

export { helios_alloc } from "../sdk";
import { inputString, JsonKind, JsonValue, outputString, parseJson } from "../sdk";

function verdict(accept: bool, message: string = ""): u64 {
  const answer = JsonValue.object().set("verdict", JsonValue.string(accept ? "accept" : "reject"));
  if (!accept) answer.set("message", JsonValue.string(message));
  return outputString(answer.stringify());
}

export function handle(ptr: usize, len: usize): u64 {
  const parsed = parseJson(inputString(ptr, len));
  if (!parsed.ok) return verdict(false, "unreadable trigger payload: " + parsed.error);
  const row = parsed.value!.get("new");
  if (row === null || row.kind != JsonKind.Object) return verdict(true); // a delete: nothing to validate
  const total = row.get("total");
  if (total === null || total.kind != JsonKind.Number) return verdict(false, "total must be a number");
  if (total.numberValue < 0) return verdict(false, "total must not be negative (got " + total.stringify() + ")");
  const qty = row.get("qty");
  if (qty !== null && qty.kind == JsonKind.Number && qty.numberValue < 1) return verdict(false, "qty must be at least 1");
  return verdict(true);
}
