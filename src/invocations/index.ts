// Asynchronous invocations: sharded queue objects driven by alarms, above the services (they call the invocation service).
export * from "./async-invocations.ts";
export * from "./async-limits.ts";
export * from "./invocation-id.ts";
export * from "./invocation-queue-object.ts";
export type { InvocationStatus } from "./queue-schema.ts";
