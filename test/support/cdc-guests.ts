// Subscription consumers for the CDC tests (Workers integration and end to end). The consumer POSTs the batch it
// receives, as it is, to the URL in its config "sink" (a recorder the test runs, which also decides whether the
// attempt fails: the guest traps on any status outside 200-299). The "-writer" variant first runs config "sql"
// with db_execute (profile `database`), to show that a consumer's own writes are not delivered back to it.

function consumerWat(writes: boolean): string {
  return `(module
  (import "heliosdb" "heliosdb_config_get" (func $config (param i32 i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_http_fetch" (func $fetch (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  ${writes ? `(import "heliosdb" "heliosdb_db_execute" (func $execute (param i32 i32 i32 i32 i32 i32) (result i32)))` : ""}
  (memory (export "memory") 1)
  (data (i32.const 16) "sink")
  (data (i32.const 32) "sql")
  (data (i32.const 48) "POST")
  (data (i32.const 64) "content-type: application/json")
  (data (i32.const 112) "[]")
  (global $bump (mut i32) (i32.const 16384))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then (if (i32.lt_s (memory.grow (i32.div_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 65536))) (i32.const 0))
        (then (return (i32.const 0))))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "helios_dealloc") (param i32 i32))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $status i32)
    ${
      writes
        ? `(if (i32.ne (call $config (i32.const 32) (i32.const 3) (i32.const 2048) (i32.const 2048) (i32.const 204)) (i32.const 0)) (then (unreachable)))
    (if (i32.ne (call $execute (i32.const 2048) (i32.load (i32.const 204)) (i32.const 112) (i32.const 2) (i32.const 208) (i32.const 212)) (i32.const 0)) (then (unreachable)))`
        : ""
    }
    (if (i32.ne (call $config (i32.const 16) (i32.const 4) (i32.const 1024) (i32.const 1024) (i32.const 200)) (i32.const 0)) (then (unreachable)))
    (local.set $status (call $fetch (i32.const 48) (i32.const 4) (i32.const 1024) (i32.load (i32.const 200)) (i32.const 64) (i32.const 30)
      (local.get $ptr) (local.get $len) (i32.const 256)))
    (if (i32.or (i32.lt_s (local.get $status) (i32.const 200)) (i32.gt_s (local.get $status) (i32.const 299))) (then (unreachable)))
    (i64.const 0)))`;
}

/** WAT sources by guest name (the global setup compiles them as `wat:<name>`). */
export const CDC_GUEST_WAT: Record<string, string> = {
  "cdc-consumer": consumerWat(false),
  "cdc-consumer-writer": consumerWat(true),
};
