// The fuel protocol between host and instrumented guest: export names and metered calls.
import { OutOfFuelError } from "./errors.ts";

/** Exported mutable i64 global holding the fuel left; added by the instrumenter. */
export const FUEL_EXPORT = "__helios_fuel";
/** The original start function, exported instead of being run at instantiation. */
export const START_EXPORT = "__helios_start";
/**
 * `(amount: i32 unsigned) -> i32`: subtracts `amount` from the fuel global and returns 1 if fuel is
 * left, 0 if the guest is now out. Added by the instrumenter so hosts charge with an i32 call
 * instead of a BigInt read and write of the global.
 */
export const CHARGE_EXPORT = "__helios_charge";
/**
 * Exported mutable i32 global, 0 at instantiation, set to 1 by the instrumented code when a memory.grow returns -1
 * (refused: it would pass the memory's clamped maximum). Lets a host tell a guest that hit its memory cap from any
 * other trap.
 */
export const GROW_FAILED_EXPORT = "__helios_grow_failed";
/** Guests may not export names with this prefix. */
export const RESERVED_EXPORT_PREFIX = "__helios_";

/** The instance's fuel counter. Hosts that charge often look it up once per instance and use chargeFuelGlobal. */
export function fuelGlobal(instance: WebAssembly.Instance): WebAssembly.Global {
  const g = instance.exports[FUEL_EXPORT];
  if (!(g instanceof WebAssembly.Global)) throw new TypeError(`instance has no ${FUEL_EXPORT} export: was the module instrumented?`);
  return g;
}

export function setFuel(instance: WebAssembly.Instance, budget: bigint): void {
  if (budget < 0n) throw new RangeError("fuel budget must not be negative");
  fuelGlobal(instance).value = budget;
}

/** Fuel left; negative once the guest has run out. */
export function getFuel(instance: WebAssembly.Instance): bigint {
  return fuelGlobal(instance).value as bigint;
}

/**
 * Runs `fn` (which calls into the guest) with `budget` fuel. A trap raised while the counter is
 * negative is the instrumented code's own out-of-fuel trap, or a trap in a block it had already
 * overdrawn for: either way the budget was exceeded, so it becomes OutOfFuelError. So does a call
 * that returns with the counter negative: exhaustion is checked at loop headers and before calls,
 * so a short loop-free tail (a callee that calls nothing included) can finish past the budget, and
 * its result is not accepted.
 */
export function callMetered<T>(instance: WebAssembly.Instance, budget: bigint, fn: () => T): { value: T; fuelUsed: bigint } {
  const global = startMetering(instance, budget);
  let value: T;
  try {
    value = fn();
  } catch (err) {
    throw meteredFailure(global, budget, err);
  }
  return { value, fuelUsed: meteredUsage(global, budget) };
}

/**
 * callMetered for a guest call that may suspend (JSPI: `WebAssembly.promising` exports whose
 * imports are `WebAssembly.Suspending`): the same budget and the same OutOfFuel rules, applied
 * when the promise settles.
 */
export async function callMeteredAsync<T>(
  instance: WebAssembly.Instance,
  budget: bigint,
  fn: () => Promise<T>,
): Promise<{ value: T; fuelUsed: bigint }> {
  const global = startMetering(instance, budget);
  let value: T;
  try {
    value = await fn();
  } catch (err) {
    throw meteredFailure(global, budget, err);
  }
  return { value, fuelUsed: meteredUsage(global, budget) };
}

function startMetering(instance: WebAssembly.Instance, budget: bigint): WebAssembly.Global {
  if (budget < 0n) throw new RangeError("fuel budget must not be negative");
  const global = fuelGlobal(instance);
  global.value = budget;
  return global;
}

function meteredFailure(global: WebAssembly.Global, budget: bigint, err: unknown): unknown {
  return (global.value as bigint) < 0n ? new OutOfFuelError(budget) : err;
}

function meteredUsage(global: WebAssembly.Global, budget: bigint): bigint {
  const left = global.value as bigint;
  if (left < 0n) throw new OutOfFuelError(budget);
  return budget - left;
}

/**
 * Charges `amount` fuel on behalf of the host (host calls pay a base cost plus a cost per byte).
 * Returns false, leaving the counter negative, when the guest cannot pay: the caller should then
 * trap the guest (throw), which callMetered reports as OutOfFuel.
 */
export function chargeFuel(instance: WebAssembly.Instance, amount: bigint): boolean {
  return chargeFuelGlobal(fuelGlobal(instance), amount);
}

/**
 * A charging function for hosts that charge often: look it up once per instance. Amounts up to
 * 2^32 - 1 go through the instance's own CHARGE_EXPORT; anything else (or a module instrumented
 * before it existed) through the global.
 */
export function fuelCharger(instance: WebAssembly.Instance): (amount: number) => boolean {
  const charge = instance.exports[CHARGE_EXPORT];
  const global = fuelGlobal(instance);
  if (typeof charge !== "function") return (amount) => chargeFuelGlobal(global, BigInt(amount));
  const viaGuest = charge as (amount: number) => number;
  return (amount) => (amount >= 0 && amount <= 0xffffffff ? viaGuest(amount) === 1 : chargeFuelGlobal(global, BigInt(amount)));
}

/** chargeFuel on the counter fuelGlobal returned, without looking it up again on every charge. */
export function chargeFuelGlobal(global: WebAssembly.Global, amount: bigint): boolean {
  const left = (global.value as bigint) - amount;
  global.value = left;
  return left >= 0n;
}

/** Runs the guest's original start function, if it had one, under `budget`. */
export function runStart(instance: WebAssembly.Instance, budget: bigint): bigint {
  const start = instance.exports[START_EXPORT];
  if (typeof start !== "function") return 0n;
  return callMetered(instance, budget, () => (start as () => void)()).fuelUsed;
}
