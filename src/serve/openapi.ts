/**
 * The OpenAPI description of `/predict`, generated from the model's inputs and the project's
 * column rules: a JSON schema per field (type, nullable, minimum/maximum, enum, pattern), the
 * required fields, and the example from `/sample`.
 *
 * The schema is built from the model loaded at start-up. After a hot swap, `/docs` keeps
 * showing the start-up schema; validation always uses the model now serving.
 */
import type { ModelBundle } from "../pipeline/bundle.js";
import type { ServeConfig } from "../project/schema.js";
import { sampleRecord } from "./sample.js";
import { requestSchema } from "./validate-request.js";

/** A JSON schema object (the subset OpenAPI 3 uses). */
export type JsonSchema = { [key: string]: unknown };

/** The JSON schema of one `/predict` record of `bundle`. */
export function recordJsonSchema(
  bundle: ModelBundle,
  config: Pick<ServeConfig, "unknown_fields">,
): JsonSchema {
  const schema = requestSchema(bundle);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const inputs = new Map(bundle.features.inputs.map((i) => [i.name, i]));
  for (const f of schema.fields) {
    const input = inputs.get(f.name);
    const rule = f.rule;
    const p: JsonSchema = {};
    if (f.kind === "numeric") {
      p.type = input?.kind === "numeric" && input.dtype === "datetime" ? ["number", "string"] : "number";
      if (input?.kind === "numeric" && input.dtype === "datetime") p.format = "epoch-ms or date-time";
      if (rule?.type === "integer") p.type = "integer";
    } else if (f.kind === "categorical") {
      p.type = input?.kind === "categorical" && input.dtype !== "string" ? ["string", "number"] : "string";
    } else if (f.kind === "id") p.type = ["string", "number"];
    if (rule !== undefined) {
      if (rule.min !== undefined && rule.type !== "datetime") p.minimum = rule.min;
      if (rule.max !== undefined && rule.type !== "datetime") p.maximum = rule.max;
      if (rule.values !== undefined)
        p.enum = rule.type === "integer" || rule.type === "number" ? rule.values.map(Number) : rule.values;
      if (rule.pattern !== undefined) p.pattern = rule.pattern;
      if (rule.description !== undefined) p.description = rule.description;
    }
    if (f.required) required.push(f.name);
    else p.nullable = true;
    properties[f.name] = p;
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: config.unknown_fields === "ignore",
    example: sampleRecord(bundle),
  };
}

/** The `/predict` body: one record, or `{ instances: [...] }` of at most `max_batch` records. */
export function predictBodySchema(
  bundle: ModelBundle | undefined,
  config: Pick<ServeConfig, "unknown_fields" | "max_batch">,
): JsonSchema {
  const record =
    bundle === undefined ? { type: "object", additionalProperties: true } : recordJsonSchema(bundle, config);
  return {
    description: `One record, or {"instances": [...]} with at most ${config.max_batch} records.`,
    oneOf: [
      record,
      {
        type: "object",
        required: ["instances"],
        properties: { instances: { type: "array", items: record, maxItems: config.max_batch } },
      },
    ],
  };
}

/** The JSON schema of every error body (see http.ts): a code, a message, a hint, and the field errors of a refused record. */
export const ERROR_BODY_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "a stable error code, e.g. E_RECORD" },
        message: { type: "string", description: "what happened, naming the bad value" },
        hint: { type: "string", description: "what to do next" },
        fields: {
          type: "array",
          description: "every field error of a refused record (422)",
          items: {
            type: "object",
            properties: {
              field: { type: "string" },
              expected: { type: "string" },
              got: { type: "string" },
              message: { type: "string" },
            },
          },
        },
      },
    },
  },
};

const errorResponse = (description: string): JsonSchema => ({ description, ...ERROR_BODY_SCHEMA });

/**
 * The responses of `/predict` by status: the answer, and each error with the error schema.
 * 401 and 403 are listed when predictions need a key, 429 when a rate limit is on.
 */
export function predictResponses(options: { keys: boolean; rateLimit: boolean }): Record<string, JsonSchema> {
  return {
    200: {
      description:
        'One record: {id, prediction, probability, confidence, risk, warnings?, contributions?, model}. A batch: {"predictions": [...], "model": {...}}.',
      type: "object",
      properties: {
        id: { type: ["string", "number"], nullable: true, description: "the record's id column, echoed" },
        prediction: { type: ["string", "number"] },
        probability: {
          type: ["number", "object"],
          description: "P(positive class), or per class for a multiclass target",
        },
        confidence: { type: "number" },
        risk: { type: "string" },
        predictions: { type: "array", items: { type: "object" } },
        model: {
          type: "object",
          properties: { name: { type: "string" }, version: { type: "integer", nullable: true } },
        },
      },
      additionalProperties: true,
    },
    400: errorResponse("Malformed JSON, or an empty body"),
    ...(options.keys
      ? {
          401: errorResponse("No API key: send Authorization: Bearer <key> or x-api-key"),
          403: errorResponse("An API key that is not valid for predictions"),
        }
      : {}),
    413: errorResponse("A body over the size limit, or more instances than serve.max_batch"),
    415: errorResponse("A body that is not application/json"),
    422: errorResponse("A record that fails validation: every field error is in error.fields"),
    ...(options.rateLimit
      ? {
          429: errorResponse("Too many requests from this client: wait for the retry-after header's seconds"),
        }
      : {}),
    503: errorResponse("No model is loaded yet"),
  };
}
