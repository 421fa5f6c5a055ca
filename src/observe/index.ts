// Observation: the per-function-and-region store of invocation logs and metrics, and the observer that feeds it.
export * from "./histogram.ts";
export * from "./metrics-window.ts";
export * from "./observation-batch.ts";
export * from "./observation-object.ts";
export * from "./observation-sink.ts";
export * from "./observation-store.ts";
export * from "./observe-limits.ts";
export * from "./stored-log.ts";
