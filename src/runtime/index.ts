// Runtime layer: function versions and limits, capability checks at deploy, and calling into sandbox isolates.

export { CAPABILITY_PROFILE_NAMES, type CapabilityProfile, type LogEntry, profileUsesDatabase, profileWritesDatabase } from "../sandbox/index.ts";
export * from "./call-chain.ts";
export * from "./call-tree.ts";
export * from "./capabilities.ts";
export * from "./database-names.ts";
export * from "./deploy-hints.ts";
export * from "./digest.ts";
export * from "./errors.ts";
export * from "./deployment.ts";
export * from "./function-version.ts";
export * from "./guest-abi-check.ts";
export * from "./limits.ts";
export * from "./outbound-address.ts";
export * from "./outbound-gateway.ts";
export * from "./outbound-policy.ts";
export * from "./sandbox-isolate.ts";
export * from "./secret-box.ts";
export { readStreamCapped } from "./read-capped.ts";
export * from "./request-id.ts";
export * from "./retry-schedule.ts";
export * from "./invocation-observer.ts";
export * from "./invocation-answer.ts";
