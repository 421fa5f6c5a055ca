// Host functions of the `compute` profile that read the function's environment: its deploy-time config and secrets, its own
// and its region's name, a coarse clock and random bytes.

import { HOST_MODULE } from "./guest-abi.ts";
import {
  billable,
  chargeHostCall,
  chargeHostCallRest,
  HOST_CALL_BASE_FUEL,
  HOST_CALL_BYTES_PER_FUEL,
  type HostContext,
  refusalCode,
  STANDARD_PRICE,
  writeResult,
} from "./host-call.ts";
import { defineHostState, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import { HostStatus } from "./host-status.ts";
import { utf8LengthOrStatus } from "./utf8.ts";

const I32 = "i32" as const;

/** Config keys are `[A-Za-z0-9_.-]{1,64}` at deploy, so a longer key cannot exist. */
export const MAX_CONFIG_KEY_BYTES = 64;
/** One heliosdb_random_bytes call fills at most this much (the Web Crypto limit per call). */
export const MAX_RANDOM_BYTES = 65_536;
/** Function and region names are at most 63 ASCII characters. */
export const MAX_NAME_BYTES = 63;

/** Config and secret values already encoded, per settings object (one per isolate: fixed for its life). */
const encodedConfigs = new WeakMap<object, ReadonlyMap<string, Uint8Array | null>>();
const utf8Encoder = new TextEncoder();

/**
 * The config and the secrets as one Map (a key like "__proto__" or "constructor" must never find an inherited
 * property) of UTF-8 values, encoded once per isolate (its settings are fixed for its life): a call then only copies
 * bytes, so its cost per byte is a memcpy's. Deploys and the secrets API refuse a secret named like a config entry;
 * were one to slip through, the secret wins. A value with a lone surrogate, which UTF-8 cannot carry, is null and
 * refused with invalidUtf8.
 */
export const CONFIG_STATE = defineHostState("config", (context) => {
  const settings = context.settings;
  let encoded = encodedConfigs.get(settings);
  if (encoded === undefined) {
    const entries = [...Object.entries(settings.config), ...Object.entries(settings.secrets ?? {})];
    encoded = new Map(entries.map(([key, value]) => [key, utf8LengthOrStatus(value) < 0 ? null : utf8Encoder.encode(value)]));
    encodedConfigs.set(settings, encoded);
  }
  return encoded;
});

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
  // Decoding the key (up to 64 bytes, through the strict decoder) costs more than most calls.
  price: { base: 2 * HOST_CALL_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL },
  parentCalls: [],
  create: (context, price) => (keyPtr, keyLen, outPtr, outCap, outLenPtr) => {
    try {
      chargeHostCall(context, price, billable(keyLen, MAX_CONFIG_KEY_BYTES));
      const memory = context.memory!;
      const key = memory.readStringOrStatus(keyPtr, keyLen, MAX_CONFIG_KEY_BYTES);
      if (typeof key === "number") return key;
      const value = hostState(context, CONFIG_STATE).get(key);
      if (value === undefined) return HostStatus.notFound;
      if (value === null) return HostStatus.invalidUtf8;
      // Charged for the value before it is written: an out-of-fuel trap leaves the buffer untouched.
      chargeHostCallRest(context, price, value.byteLength);
      return writeResult(memory, outPtr, outCap, outLenPtr, value);
    } catch (error) {
      return refusalCode(error);
    }
  },
};

/**
 * A name's UTF-8 bytes, encoded once per settings object (one per isolate): a call then copies bytes only. Names
 * are ASCII by the deploy rules; one that is not encodable (it cannot be) would be refused with invalidUtf8.
 */
function encodedName(cache: WeakMap<object, Uint8Array | null>, settings: object, name: string): Uint8Array | null {
  let bytes = cache.get(settings);
  if (bytes === undefined) {
    bytes = utf8LengthOrStatus(name) < 0 ? null : utf8Encoder.encode(name);
    cache.set(settings, bytes);
  }
  return bytes;
}

function nameFunction(name: string, pick: (context: HostContext) => string): HostFunctionDefinition {
  const cache = new WeakMap<object, Uint8Array | null>();
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
        const bytes = encodedName(cache, context.settings, pick(context));
        return bytes === null ? HostStatus.invalidUtf8 : writeResult(context.memory!, outPtr, outCap, outLenPtr, bytes);
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

const fillRandom = (view: Uint8Array) => crypto.getRandomValues(view);

/** heliosdb_random_bytes(ptr, len) -> status: fills (ptr, len) with cryptographically secure random bytes. */
export const RANDOM_BYTES_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_random_bytes",
  grantedBy: "compute",
  type: { params: [I32, I32], results: [I32] },
  async: false,
  // A CSPRNG costs 0.3-0.9 ns a byte (measured, bench-hostcalls), several times a copy's: four fuel per byte.
  price: { base: HOST_CALL_BASE_FUEL, bytesPerFuel: 0.25 },
  parentCalls: [],
  create: (context, price) => (ptr, len) => {
    try {
      chargeHostCall(context, price, billable(len, MAX_RANDOM_BYTES));
      const length = len >>> 0;
      if (length > MAX_RANDOM_BYTES) return HostStatus.tooLarge;
      const memory = context.memory!;
      if (memory.rangeStatus(ptr, length) !== 0) return HostStatus.outOfBounds;
      memory.fillInPlace(ptr, length, fillRandom);
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
  readsRequestHead: false,
};
