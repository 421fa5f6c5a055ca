// The host functions a guest can import from module "heliosdb", each granted by one capability profile.

import type { FuncSig } from "../wasm/index.ts";
import { chargeFuel } from "../wasm/index.ts";
import type { CapabilityProfile, CapabilityProfileName } from "./capabilities.ts";
import { HostStatus } from "./host-status.ts";
import { OutOfFuelInvocationError } from "./errors.ts";
import { type LogCollector, LOG_LEVELS, MAX_LOG_MESSAGE_BYTES } from "./log-collector.ts";
import { isInsideMemory } from "./memory-range.ts";

/** What a host function can reach of the invocation it serves. `instance` is set right after instantiation. */
export interface HostContext {
  instance: WebAssembly.Instance | null;
  memory: WebAssembly.Memory | null;
  fuelBudget: number;
  logs: LogCollector;
}

export interface HostFunctionDefinition {
  name: string;
  grantedBy: CapabilityProfileName;
  type: FuncSig;
  create(context: HostContext): (...args: number[]) => number;
}

/** Every host call costs this much fuel, plus one per started 16 bytes it reads or writes (docs/abi.md). */
export const HOST_CALL_BASE_FUEL = 100;
export const HOST_CALL_BYTES_PER_FUEL = 16;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export const HOST_FUNCTIONS: readonly HostFunctionDefinition[] = [
  {
    name: "heliosdb_log",
    grantedBy: "minimal",
    type: { params: ["i32", "i32", "i32"], results: ["i32"] },
    create: (context) => (level, ptr, len) => {
      // Lengths over the cap are refused before they are charged per byte: a lie about len costs only the base.
      const tooLong = len >>> 0 > MAX_LOG_MESSAGE_BYTES;
      chargeHostCall(context, tooLong ? 0 : len >>> 0);
      if (tooLong) return HostStatus.tooLarge;
      const levelName = LOG_LEVELS[level];
      if (levelName === undefined) return HostStatus.invalidArgument;
      const buffer = context.memory!.buffer;
      if (!isInsideMemory(ptr, len, buffer.byteLength)) return HostStatus.outOfBounds;
      let message: string;
      try {
        message = utf8.decode(new Uint8Array(buffer, ptr >>> 0, len >>> 0));
      } catch {
        return HostStatus.invalidUtf8;
      }
      return context.logs.add(levelName, message) ? HostStatus.ok : HostStatus.quotaExceeded;
    },
  },
];

export function hostFunctionsGrantedBy(profile: CapabilityProfile): HostFunctionDefinition[] {
  return HOST_FUNCTIONS.filter((fn) => profile.includes(fn.grantedBy));
}

/** The import object for one instance: only the functions the profile grants are linked at all. */
export function linkHostFunctions(profile: CapabilityProfile, context: HostContext): Record<string, Function> {
  return Object.fromEntries(hostFunctionsGrantedBy(profile).map((fn) => [fn.name, fn.create(context)]));
}

/**
 * Charges a host call against the guest's fuel. Running out inside a host call ends the invocation right there,
 * so a flood of cheap host calls cannot outrun the budget.
 */
function chargeHostCall(context: HostContext, bytes: number): void {
  const instance = context.instance!;
  const cost = HOST_CALL_BASE_FUEL + Math.ceil(bytes / HOST_CALL_BYTES_PER_FUEL);
  if (!chargeFuel(instance, BigInt(cost))) throw new OutOfFuelInvocationError(context.fuelBudget);
}
