// Per-function resource limits: defaults applied at deploy, and ceilings no deploy may exceed.

export interface FunctionLimits {
  /** Fuel budget per invocation (instrumented instructions; see docs/limits.md for the cost model). */
  fuel: number;
  /** Linear memory cap in 64 KiB pages; the instrumenter clamps the module's memory maximum to it. */
  maxMemoryPages: number;
  /** Largest request body accepted as the payload. */
  maxPayloadBytes: number;
  /** Largest output the guest may return. */
  maxResponseBytes: number;
}

export const DEFAULT_LIMITS: Readonly<FunctionLimits> = Object.freeze({
  fuel: 10_000_000,
  maxMemoryPages: 16,
  maxPayloadBytes: 1024 * 1024,
  maxResponseBytes: 1024 * 1024,
});

export const LIMIT_CEILINGS: Readonly<FunctionLimits> = Object.freeze({
  fuel: 1_000_000_000,
  maxMemoryPages: 512,
  maxPayloadBytes: 8 * 1024 * 1024,
  maxResponseBytes: 8 * 1024 * 1024,
});
