// The query strings of the logs and metrics routes, validated; an error names each bad parameter.

import { z } from "zod";
import { DEFAULT_LOG_QUERY_LIMIT, DEFAULT_METRICS_WINDOW_MINUTES, MAX_LOG_QUERY_LIMIT, METRICS_RETENTION_MINUTES } from "../observe/index.ts";
import { LOG_LEVELS, type LogLevel } from "../sandbox/index.ts";
import { InvalidRequestError } from "./errors.ts";
import { type RegionConfig } from "./regions.ts";

const integer = (min: number, max: number) =>
  z.string().regex(/^\d{1,16}$/, "must be a non-negative integer").transform(Number).pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const LEVEL = z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(", ")}` }) });

export const LOGS_QUERY = z
  .object({
    since: integer(0, Number.MAX_SAFE_INTEGER).optional(),
    limit: integer(1, MAX_LOG_QUERY_LIMIT).default(String(DEFAULT_LOG_QUERY_LIMIT)),
    level: LEVEL.optional(),
    region: z.string().optional(),
  })
  .strict();

export const TAIL_QUERY = z.object({ level: LEVEL.optional(), region: z.string().optional() }).strict();

export const METRICS_QUERY = z
  .object({
    window: integer(1, METRICS_RETENTION_MINUTES).default(String(DEFAULT_METRICS_WINDOW_MINUTES)),
    region: z.string().optional(),
  })
  .strict();

export function parseQuery<T extends z.ZodTypeAny>(schema: T, query: Record<string, string>): z.output<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw new InvalidRequestError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : "query",
      message: issue.code === "unrecognized_keys" ? `unknown parameter(s): ${issue.keys.join(", ")}` : issue.message,
    })),
  );
}

/** The regions asked about: the one named (it must be configured), else every configured region. */
export function regionsOf(config: RegionConfig, region: string | undefined): string[] {
  if (region === undefined) return config.regions;
  if (!config.regions.includes(region)) {
    throw InvalidRequestError.of("region", `unknown region ${JSON.stringify(region)}; configured: ${config.regions.join(", ")}`);
  }
  return [region];
}
