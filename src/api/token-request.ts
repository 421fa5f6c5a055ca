// The body of POST /v1/tokens, validated into a token spec; an error names each bad field.

import { z } from "zod";
import { TOKEN_ID, TOKEN_SCOPES, type TokenSpec } from "../services/token-service.ts";
import { InvalidRequestError } from "./errors.ts";

const PREFIX = /^[a-z0-9-]{0,63}$/;

export const TOKEN_REQUEST = z
  .object({
    name: z.string({ invalid_type_error: "must be a string" }).max(64, "must be at most 64 characters").default(""),
    scope: z.enum(TOKEN_SCOPES as [TokenSpec["scope"], ...TokenSpec["scope"][]], {
      errorMap: () => ({ message: `must be one of ${TOKEN_SCOPES.join(", ")}` }),
    }),
    prefix: z.string({ invalid_type_error: "must be a string" }).regex(PREFIX, "must be 0-63 characters of a-z, 0-9 and '-'").default(""),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.scope === "deploy" && spec.prefix === "") {
      ctx.addIssue({ code: "custom", path: ["prefix"], message: "a deploy token needs a function-name prefix" });
    }
    if (spec.scope === "read" && spec.prefix !== "") {
      ctx.addIssue({ code: "custom", path: ["prefix"], message: "a read token reads everything; it takes no prefix" });
    }
  });

export function parseTokenRequest(body: unknown): TokenSpec {
  const result = TOKEN_REQUEST.safeParse(body);
  if (result.success) return result.data;
  throw new InvalidRequestError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : "body",
      message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
    })),
  );
}

export function assertTokenId(id: string): string {
  if (!TOKEN_ID.test(id)) throw InvalidRequestError.of("id", "must be tok_ followed by 16 hex digits");
  return id;
}
