// Host functions of the `compute` profile that read the function's environment: its deploy-time config and secrets, its own
// and its region's name, a coarse clock and random bytes.

import { HOST_MODULE } from "./guest-abi.ts";
import { billable, chargeHostCall, chargeHostCallRest, type HostContext, refusalCode, STANDARD_PRICE, writeResult } from "./host-call.ts";
import { defineHostState, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import { HostStatus } from "./host-status.ts";
import { utf8ByteLength } from "./safe-memory.ts";

const I32 = "i32" as const;

/** Config keys are `[A-Za-z0-9_.-]{1,64}` at deploy, so a longer key cannot exist. */
export const MAX_CONFIG_KEY_BYTES = 64;
/** One heliosdb_random_bytes call fills at most this much (the Web Crypto limit per call). */
export const MAX_RANDOM_BYTES = 65_536;
/** Function and region names are at most 63 ASCII characters. */
export const MAX_NAME_BYTES = 63;

/**
 * The config and the secrets as one Map (a key like "__proto__" or "constructor" must never find an inherited
 * property), built on the invocation's first config_get and reused by its later calls. Deploys and the secrets API
 * refuse a secret named like a config entry; were one to slip through, the secret wins.
 */
export const CONFIG_STATE = defineHostState(
  "config",
  (context) => new Map([...Object.entries(context.settings.config), ...Object.entries(context.settings.secrets ?? {})]),
);

/**
 * heliosdb_config_get(keyPtr, keyLen, outPtr, outCap, outLenPtr) -> status: writes the UTF-8 value of config key
 * `key` into (outPtr, outCap) and its length at outLenPtr. notFound for a key that is not set; bufferTooSmall
 * writes only the required length.
 */
export const CONFIG_GET_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_config_get",
  grantedBy: "compute",
  type: { params: [I32, I32, I32, I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (keyPtr, keyLen, outPtr, outCap, outLenPtr) => {
    try {
      chargeHostCall(context, price, billable(keyLen, MAX_CONFIG_KEY_BYTES));
      const memory = context.memory!;
      const key = memory.readString(keyPtr, keyLen, MAX_CONFIG_KEY_BYTES);
      const value = hostState(context, CONFIG_STATE).get(key);
      if (value === undefined) return HostStatus.notFound;
      // Charged for the value before it is written: an out-of-fuel trap leaves the buffer untouched.
      chargeHostCallRest(context, price, utf8ByteLength(value));
      return writeResult(memory, outPtr, outCap, outLenPtr, value);
    } catch (error) {
      return refusalCode(error);
    }
  },
};

function nameFunction(name: string, pick: (context: HostContext) => string): HostFunctionDefinition {
  return {
    name,
    grantedBy: "compute",
    type: { params: [I32, I32, I32], results: [I32] },
    async: false,
    price: STANDARD_PRICE,
    parentCalls: [],
    create: (context, price) => (outPtr, outCap, outLenPtr) => {
      try {
        chargeHostCall(context, price);
        return writeResult(context.memory!, outPtr, outCap, outLenPtr, pick(context));
      } catch (error) {
        return refusalCode(error);
      }
    },
  };
}

/** heliosdb_function_name(outPtr, outCap, outLenPtr) -> status: the function's own name. */
export const FUNCTION_NAME_FUNCTION = nameFunction("heliosdb_function_name", (context) => context.settings.functionName);
/** heliosdb_region_name(outPtr, outCap, outLenPtr) -> status: the region this invocation runs in. */
export const REGION_NAME_FUNCTION = nameFunction("heliosdb_region_name", (context) => context.settings.region);

/**
 * heliosdb_clock_now_ms() -> i64: milliseconds since the Unix epoch, whole milliseconds only, frozen at the start of
 * the invocation (HostContext.clockMs): every call in one invocation returns the same value, also across host calls
 * that wait (edge_invoke, http_fetch) and where the engine's own clock advances (locally, workerd's does), so a
 * guest can never time its own work.
 */
export const CLOCK_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_clock_now_ms",
  grantedBy: "compute",
  type: { params: [], results: ["i64"] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => () => {
    chargeHostCall(context, price);
    return context.clockMs;
  },
};

/** heliosdb_random_bytes(ptr, len) -> status: fills (ptr, len) with cryptographically secure random bytes. */
export const RANDOM_BYTES_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_random_bytes",
  grantedBy: "compute",
  type: { params: [I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (ptr, len) => {
    try {
      chargeHostCall(context, price, billable(len, MAX_RANDOM_BYTES));
      const length = len >>> 0;
      if (length > MAX_RANDOM_BYTES) return HostStatus.tooLarge;
      const memory = context.memory!;
      memory.checkRange(ptr, length);
      memory.writeBytes(ptr, crypto.getRandomValues(new Uint8Array(length)));
      return HostStatus.ok;
    } catch (error) {
      return refusalCode(error);
    }
  },
};

export const ENVIRONMENT_MODULE: HostModule = {
  name: "environment",
  importModule: HOST_MODULE,
  functions: [CONFIG_GET_FUNCTION, FUNCTION_NAME_FUNCTION, REGION_NAME_FUNCTION, CLOCK_FUNCTION, RANDOM_BYTES_FUNCTION],
  state: [CONFIG_STATE],
};
