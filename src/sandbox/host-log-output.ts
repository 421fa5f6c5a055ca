// Host functions of the `minimal` profile: log lines and emitted output.

import { billable, chargeHostCall, refusalCode, STANDARD_PRICE } from "./host-call.ts";
import type { HostFunctionDefinition, HostModule } from "./host-module.ts";
import { HOST_MODULE } from "./guest-abi.ts";
import { HostStatus } from "./host-status.ts";
import { LOG_LEVELS, MAX_LOG_MESSAGE_BYTES } from "./log-collector.ts";

const I32 = "i32" as const;

/** heliosdb_log(level, ptr, len) -> status: appends the UTF-8 text at (ptr, len) to the invocation's log. */
export const LOG_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_log",
  grantedBy: "minimal",
  type: { params: [I32, I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (level, ptr, len) => {
    try {
      chargeHostCall(context, price, billable(len, MAX_LOG_MESSAGE_BYTES));
      const memory = context.memory!;
      // Every refusal returns its status without an exception (a guest can repeat it in a loop). Once the quota is
      // used up the line would be dropped anyway: refused after the range check, before any decoding.
      if (context.logs.full) return memory.readStatus(ptr, len, MAX_LOG_MESSAGE_BYTES) || HostStatus.quotaExceeded;
      const message = memory.readStringOrStatus(ptr, len, MAX_LOG_MESSAGE_BYTES);
      if (typeof message === "number") return message;
      const levelName = LOG_LEVELS[level];
      if (levelName === undefined) return HostStatus.invalidArgument;
      return context.logs.add(levelName, message) ? HostStatus.ok : HostStatus.quotaExceeded;
    } catch (error) {
      return refusalCode(error);
    }
  },
};

/**
 * heliosdb_output(ptr, len) -> status: copies (ptr, len) to the response now. The response is everything emitted,
 * in order, followed by the bytes at the location the handler returns; all of it within maxResponseBytes.
 */
export const OUTPUT_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_output",
  grantedBy: "minimal",
  type: { params: [I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (ptr, len) => {
    try {
      const room = context.output.room;
      chargeHostCall(context, price, billable(len, room));
      const memory = context.memory!;
      const status = memory.readStatus(ptr, len, room);
      if (status !== 0) return status;
      context.output.add(memory.readBytes(ptr, len, room));
      return HostStatus.ok;
    } catch (error) {
      return refusalCode(error);
    }
  },
};

export const LOG_OUTPUT_MODULE: HostModule = {
  name: "log-output",
  importModule: HOST_MODULE,
  functions: [LOG_FUNCTION, OUTPUT_FUNCTION],
  state: [],
  readsRequestHead: false,
};
