// A stored procedure on the `shop` database (profile `database`, manifest field `database`): the whole invocation
// is one transaction. Payload {"orderId": <id>}: reads the order and its item's stock, records an `order_events` row,
// takes the quantity off `stock` and marks the order processed, answering
//   {"ok":true,"orderId":1,"sku":"A1","qty":2,"total":25,"stockLeft":98,"eventId":1}
// An unknown, already processed or unfillable order answers {"ok":false,"error":"..."} and writes nothing; a failed
// statement aborts the invocation, which rolls back every write it made.

export { helios_alloc } from "../sdk";
import { db, DbParams, inputString, JsonValue, nowMs, outputString, parseJson } from "../sdk";

function refuse(message: string): u64 {
  return outputString(JsonValue.object().set("ok", JsonValue.bool(false)).set("error", JsonValue.string(message)).stringify());
}

export function handle(ptr: usize, len: usize): u64 {
  const parsed = parseJson(inputString(ptr, len));
  if (!parsed.ok) return refuse("payload must be JSON {\"orderId\": <id>}");
  const id = parsed.value!.get("orderId");
  if (id === null) return refuse("payload must be JSON {\"orderId\": <id>}");
  const orderId = <i64>id.asNumber();

  const order = db.query("SELECT id, sku, qty, total, status FROM orders WHERE id = ?", DbParams.of().int(orderId)).unwrap().first();
  if (order === null) return refuse("no order " + orderId.toString());
  if (order.getString("status") != "new") return refuse("order " + orderId.toString() + " is already " + order.getString("status"));
  const sku = order.getString("sku");
  const qty = order.getInt("qty");

  const stock = db.query("SELECT quantity FROM stock WHERE sku = ?", DbParams.of().str(sku)).unwrap().first();
  const available: i64 = stock !== null ? stock.getInt("quantity") : 0;
  if (available < qty) return refuse("not enough stock of " + sku + ": " + available.toString() + " left, " + qty.toString() + " ordered");

  const event = db
    .execute("INSERT INTO order_events (order_id, kind, at) VALUES (?, 'processed', ?)", DbParams.of().int(orderId).int(nowMs()))
    .unwrap();
  db.execute("UPDATE stock SET quantity = quantity - ? WHERE sku = ?", DbParams.of().int(qty).str(sku)).unwrap();
  db.execute("UPDATE orders SET status = 'processed' WHERE id = ?", DbParams.of().int(orderId)).unwrap();
  const left = db.query("SELECT quantity FROM stock WHERE sku = ?", DbParams.of().str(sku)).unwrap().first()!;

  const answer = JsonValue.object()
    .set("ok", JsonValue.bool(true))
    .set("orderId", JsonValue.number(<f64>orderId))
    .set("sku", JsonValue.string(sku))
    .set("qty", JsonValue.number(<f64>qty))
    .set("total", JsonValue.number(order.getNumber("total")))
    .set("stockLeft", JsonValue.number(<f64>left.getInt("quantity")))
    .set("eventId", JsonValue.number(<f64>event.lastRowId));
  return outputString(answer.stringify());
}
