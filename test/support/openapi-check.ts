// Checks a real HTTP answer against an OpenAPI 3.0 document: the route (path template and method) must be declared,
// the status must be one of its responses, the content type one of that response's media types, and a JSON body must
// match the schema. Objects are read closed-world: a member the schema does not list is an error unless the schema
// allows extra members (additionalProperties), so an undocumented field fails the check. Covers the subset of JSON
// Schema @asteasolutions/zod-to-openapi emits (type, properties, required, additionalProperties, items, enum,
// nullable, anyOf/oneOf/allOf, $ref, pattern, minimum/maximum, maxLength); no ajv, since workerd forbids eval.

interface Schema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** The declared path template a concrete path matches ({path} of /fn routes may span slashes). */
export function matchTemplate(document: OpenApiDocument, path: string): string | null {
  const candidates = Object.keys(document.paths).filter((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{path\}/g, ".+").replace(/\{[^}]+\}/g, "[^/]+");
    return new RegExp(`^${pattern}$`).test(path);
  });
  // The most specific template wins: fewest parameters.
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  return candidates[0] ?? null;
}

export function checkResponse(document: OpenApiDocument, method: string, path: string, status: number, contentType: string, body: unknown): string[] {
  const template = matchTemplate(document, path);
  if (template === null) return [`${method} ${path}: no declared path matches`];
  const operation = document.paths[template][method.toLowerCase()];
  if (!operation) return [`${method} ${template}: method not declared`];
  const response = operation.responses[String(status)];
  if (!response) return [`${method} ${template}: status ${status} not declared`];
  const mediaType = contentType.split(";")[0].trim();
  const content = response.content ?? {};
  const declared = content[mediaType] ?? content["*/*"];
  if (!declared) return [`${method} ${template} ${status}: content type ${mediaType} not declared (${Object.keys(content).join(", ")})`];
  if (mediaType !== "application/json") return [];
  return validate(document, declared.schema, body, `${method} ${template} ${status} body`);
}

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  while (current.$ref !== undefined) {
    const name = current.$ref.replace("#/components/schemas/", "");
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${current.$ref}`);
    current = target;
  }
  return current;
}

export function validate(document: OpenApiDocument, raw: Schema, value: unknown, at: string): string[] {
  const schema = resolve(document, raw);
  if (value === null) return schema.nullable || schema.type === undefined && !schema.anyOf && !schema.oneOf && !schema.allOf && !schema.enum ? [] : [`${at}: null not allowed`];
  if (schema.allOf) return schema.allOf.flatMap((part) => validate(document, part, value, at)).filter((e) => !e.includes("is not declared"))
    .concat(closedWorld(document, schema.allOf, value, at));
  for (const alternatives of [schema.anyOf, schema.oneOf]) {
    if (alternatives) {
      const results = alternatives.map((alt) => validate(document, alt, value, at));
      return results.some((errors) => errors.length === 0) ? [] : [`${at}: matches none of ${alternatives.length} alternatives (${results.map((r) => r[0]).join(" | ")})`];
    }
  }
  if (schema.enum && !schema.enum.some((option) => option === value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  switch (schema.type) {
    case undefined:
      return [];
    case "string":
      if (typeof value !== "string") return [`${at}: expected string`];
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) return [`${at}: does not match ${schema.pattern}`];
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return [`${at}: longer than ${schema.maxLength}`];
      return [];
    case "number":
    case "integer":
      if (typeof value !== "number") return [`${at}: expected ${schema.type}`];
      if (schema.type === "integer" && !Number.isInteger(value)) return [`${at}: expected integer`];
      return [];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${at}: expected boolean`];
    case "array":
      if (!Array.isArray(value)) return [`${at}: expected array`];
      return value.flatMap((item, i) => (schema.items ? validate(document, schema.items, item, `${at}[${i}]`) : []));
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${at}: expected object`];
      const record = value as Record<string, unknown>;
      const errors: string[] = [];
      for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${at}.${key}: required`);
      for (const [key, member] of Object.entries(record)) {
        const declared = schema.properties?.[key];
        if (declared) errors.push(...validate(document, declared, member, `${at}.${key}`));
        else if (typeof schema.additionalProperties === "object") errors.push(...validate(document, schema.additionalProperties, member, `${at}.${key}`));
        else if (schema.additionalProperties !== true && !(schema.properties === undefined && schema.additionalProperties === undefined)) {
          errors.push(`${at}.${key}: is not declared`);
        }
      }
      return errors;
    }
    default:
      return [`${at}: unknown schema type ${schema.type}`];
  }
}

/** allOf parts each see only their own members; together they must declare every member. */
function closedWorld(document: OpenApiDocument, parts: Schema[], value: unknown, at: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const resolved = parts.map((part) => resolve(document, part));
  if (resolved.some((part) => part.additionalProperties !== undefined && part.additionalProperties !== false)) return [];
  const declared = new Set(parts.flatMap((part) => Object.keys(resolve(document, part).properties ?? {})));
  return Object.keys(value).filter((key) => !declared.has(key)).map((key) => `${at}.${key}: is not declared`);
}
