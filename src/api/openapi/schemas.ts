// Zod schemas of what the API answers (and of the JSON bodies it reads), for the OpenAPI document and the typed
// client. They describe; the runtime's own parsers (manifest.ts, deploy-request.ts, database-request.ts, ...) decide
// what is accepted, with the catalogue's errors.

import { z } from "@hono/zod-openapi";

export const Limits = z
  .object({ fuel: z.number().int(), maxMemoryPages: z.number().int(), maxPayloadBytes: z.number().int(), maxResponseBytes: z.number().int() })
  .openapi("Limits");

export const FunctionView = z
  .object({
    name: z.string(),
    version: z.number().int(),
    sha256: z.string().openapi({ description: "SHA-256 (hex) of the module as uploaded" }),
    instrumentedSha256: z.string(),
    regions: z.array(z.string()),
    profile: z.array(z.string()),
    limits: Limits,
    config: z.record(z.string()),
    allowedHosts: z.array(z.string()).optional(),
    database: z.string().optional(),
    private: z.boolean(),
    deployedAt: z.string(),
    secrets: z.array(z.string()).openapi({ description: "names of the function's secrets (values are never returned)" }),
  })
  .openapi("Function");

export const VersionSummary = z.object({ version: z.number().int(), sha256: z.string(), deployedAt: z.string() }).openapi("VersionSummary");

export const SecretInfo = z.object({ name: z.string(), updatedAt: z.string() }).openapi("Secret");

export const TokenInfo = z
  .object({ id: z.string(), name: z.string(), scope: z.enum(["deploy", "read", "invoke"]), prefix: z.string(), createdAt: z.string() })
  .openapi("Token");

export const Region = z
  .object({ name: z.string(), default: z.boolean(), location: z.object({ latitude: z.number(), longitude: z.number() }).nullable() })
  .openapi("Region");

export const ListedDatabase = z.object({ region: z.string(), name: z.string(), createdAt: z.string() }).openapi("Database");

export const TriggerRegistration = z
  .object({
    name: z.string(),
    table: z.string(),
    events: z.array(z.enum(["insert", "update", "delete"])),
    function: z.string(),
    timing: z.enum(["before", "after"]).openapi({ description: "after: a subscription of the same name delivers the committed changes to the function" }),
    createdAt: z.string(),
  })
  .openapi("Trigger");

export const TableDescription = z
  .object({
    name: z.string(),
    columns: z.array(z.object({ name: z.string(), type: z.string(), primaryKey: z.boolean(), notNull: z.boolean() })),
    rows: z.number().int(),
  })
  .openapi("Table");

export const SqlResult = z
  .object({
    columns: z.array(z.string()),
    rows: z.array(z.array(z.unknown())),
    rowsRead: z.number().int(),
    rowsWritten: z.number().int(),
    lastRowId: z.number().int().nullable(),
  })
  .openapi("SqlResult");

export const Row = z.record(z.unknown()).openapi("Row", { description: "column name -> value (a BLOB as lower-case hex text)" });

export const ChangeEntry = z
  .object({
    seq: z.number().int(),
    txId: z.string(),
    table: z.string(),
    op: z.enum(["insert", "update", "delete", "schema"]),
    key: z.unknown().openapi({ description: "the row's primary key (a JSON array for a composite key) or rowid; null for schema entries" }),
    old: Row.nullable(),
    new: Row.nullable(),
    committedAt: z.string(),
    origin: z.string().nullable().openapi({ description: "the procedure that wrote it, else null" }),
  })
  .openapi("ChangeEntry");

// --- Request bodies (documented; read by the handlers' own capped parsers).

export const SecretBody = z.object({ value: z.string().max(4096) }).strict();

export const TokenBody = z
  .object({ name: z.string().max(64).optional(), scope: z.enum(["deploy", "read", "invoke"]), prefix: z.string().optional() })
  .strict();

export const SqlBody = z.object({ sql: z.string(), params: z.array(z.unknown()).optional() }).strict();

export const TriggerBody = z
  .object({ table: z.string(), events: z.array(z.enum(["insert", "update", "delete"])), function: z.string(), timing: z.enum(["before", "after"]).optional() })
  .strict();

export const DeployManifest = z
  .object({
    sha256: z.string().optional(),
    regions: z.array(z.string()).optional(),
    profile: z.union([z.string(), z.array(z.string())]).optional(),
    limits: Limits.partial().optional(),
    private: z.boolean().optional(),
    config: z.record(z.string()).optional(),
    secrets: z.record(z.string()).optional(),
    allowedHosts: z.array(z.string()).optional(),
    database: z.string().optional(),
  })
  .openapi("DeployManifest");

export const Binary = z.string().openapi({ type: "string", format: "binary" });

// --- Path parameters.

export const NameParam = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "hello" }) });

// --- Versions and deployments.

export const VersionShare = z.object({ version: z.number().int(), percent: z.number() }).openapi("VersionShare");

export const Deployment = z
  .object({
    name: z.string(),
    seq: z.number().int().openapi({ description: "registry-wide, strictly increasing: the order regions apply deployments in" }),
    kind: z.enum(["deploy", "rollback", "split", "alias", "delete"]),
    regions: z.array(z.string()),
    routes: z
      .object({ default: z.array(VersionShare), aliases: z.record(z.array(VersionShare)) })
      .nullable()
      .openapi({ description: "null for the deployment that deleted the function" }),
    createdAt: z.string(),
  })
  .openapi("Deployment");

/** `{ "version": N }` (100%) or `{ "versions": [{ "version", "percent" }, ...] }` adding up to 100. */
export const RouteBody = z
  .object({ version: z.number().int().positive().optional(), versions: z.array(VersionShare).optional() })
  .strict()
  .openapi("RouteBody");

export const DeploymentBody = RouteBody.extend({ regions: z.array(z.string()).optional() }).strict().openapi("DeploymentBody");

export const RollbackBody = z.object({ version: z.number().int().positive().optional() }).strict();
