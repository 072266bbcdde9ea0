/**
 * What the routes share: the JSON error shape, the status of each error code, API-key checks,
 * and the serve settings in force for a model.
 *
 * Every error response is `{"error": {"code", "message", "hint"?, "fields"?}}`, except on the
 * Open Inference Protocol's routes (`/v2`, `/v2/*`), where the protocol fixes it as
 * `{"error": "<message>"}`. No stack trace or internal message ever leaves the server.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { isSluiceError, type ErrorCode } from "../errors.js";
import type { FieldIssue } from "../features/values.js";
import { ServeConfig } from "../project/schema.js";
import type { LoadedModel } from "./types.js";

/** The JSON body of every error response. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    hint?: string;
    /** Every field error of a refused record (422). */
    fields?: FieldIssue[];
  };
}

/** An error with its HTTP status, raised by routes and turned into an {@link ErrorBody}. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { hint?: string; fields?: FieldIssue[] } = {},
  ) {
    super(message);
  }

  /** The response body. */
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }

  /** The response body on an Open Inference Protocol route: one string, the message and its hint. */
  v2Body(): V2ErrorBody {
    return { error: this.extra.hint === undefined ? this.message : `${this.message}; ${this.extra.hint}` };
  }
}

/** The JSON body of an error on the Open Inference Protocol's routes, as the protocol fixes it. */
export interface V2ErrorBody {
  error: string;
}

/** True for a request to the Open Inference Protocol's routes (`/v2`, `/v2/…`). */
export function isV2Path(url: string): boolean {
  return url.startsWith("/v2") && (url.length === 3 || url[3] === "/" || url[3] === "?");
}

/** The HTTP status of an error code raised by Sluice while answering a request. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case "E_RECORD":
    case "E_MATRIX":
      return 422;
    case "E_NOT_FOUND":
    case "E_FILE_NOT_FOUND":
      return 404;
    case "E_DATA_TOO_LARGE":
      return 413;
    case "E_USAGE":
      return 400;
    default:
      return 500;
  }
}

/** Send an error response: {@link ErrorBody}, or {@link V2ErrorBody} on a `/v2` route. */
export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  return reply
    .code(err.statusCode)
    .type("application/json; charset=utf-8")
    .send(isV2Path(reply.request.url) ? err.v2Body() : err.body());
}

/** Fastify's own error codes that mean a bad request, with what to tell the client. */
const FASTIFY_ERRORS: Record<string, (err: Error, limit: number) => HttpError> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new HttpError(400, "E_USAGE", "the request body is empty", {
      hint: 'send a JSON object, e.g. {"age": 42}, or {"instances": [...]}',
    }),
  FST_ERR_CTP_INVALID_JSON_BODY: (err) => malformed(err),
  FST_ERR_CTP_BODY_TOO_LARGE: (_err, limit) =>
    new HttpError(413, "E_DATA_TOO_LARGE", `the request body is larger than the limit of ${limit} bytes`, {
      hint: "send fewer instances per request",
    }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new HttpError(415, "E_USAGE", "unsupported content type: send application/json", {
      hint: "set the header Content-Type: application/json",
    }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new HttpError(400, "E_USAGE", "the Content-Length header does not match the body"),
};

function malformed(err: Error): HttpError {
  return new HttpError(400, "E_USAGE", `the request body is not valid JSON: ${err.message}`, {
    hint: "send a JSON object (strings in double quotes, no NaN or trailing commas)",
  });
}

/**
 * The {@link HttpError} for anything a route or Fastify threw. Unknown errors become a 500 that
 * names only the request id; their details go to the log.
 */
export function toHttpError(err: unknown, requestId: string, bodyLimit: number): HttpError {
  if (err instanceof HttpError) return err;
  if (isSluiceError(err)) {
    const status = statusOf(err.code);
    if (status < 500) {
      const issues = err.details.issues;
      return new HttpError(status, err.code, err.message, {
        ...(err.hint === undefined ? {} : { hint: err.hint }),
        ...(Array.isArray(issues) ? { fields: issues as FieldIssue[] } : {}),
      });
    }
  } else if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    if (typeof code === "string" && Object.hasOwn(FASTIFY_ERRORS, code))
      return FASTIFY_ERRORS[code]!(err, bodyLimit);
    const status = (err as Error & { statusCode?: unknown }).statusCode;
    if (err instanceof SyntaxError && status === 400) return malformed(err);
    if (typeof status === "number" && status >= 400 && status < 500)
      return new HttpError(status, status === 404 ? "E_NOT_FOUND" : "E_USAGE", err.message);
  }
  return new HttpError(500, "E_INTERNAL", `internal error while answering request ${requestId}`, {
    hint: "the server log has the details under this request id",
  });
}

/** What `x-model-version` says for a model: its version, `file` for a model file, `none` when nothing is loaded. */
export function versionLabel(loaded: LoadedModel | undefined): string {
  if (loaded === undefined) return "none";
  return loaded.version === null ? "file" : String(loaded.version);
}

const DEFAULT_CONFIG: ServeConfig = ServeConfig.parse({});

/** Resolves the serve settings in force for a model. */
export type ConfigResolver = (loaded: LoadedModel | undefined) => ServeConfig;

/**
 * The serve settings of an app for each model: Sluice's defaults, then the model's
 * serving.json `serve`, then what the caller gave (cached per model).
 */
export function configResolver(given: Partial<ServeConfig> | undefined): ConfigResolver {
  const configs = new WeakMap<LoadedModel, ServeConfig>();
  const base: ServeConfig = { ...DEFAULT_CONFIG, ...given };
  return (loaded) => {
    if (loaded === undefined) return base;
    let config = configs.get(loaded);
    if (config === undefined) {
      config = { ...DEFAULT_CONFIG, ...loaded.bundle.serving?.serve, ...given };
      configs.set(loaded, config);
    }
    return config;
  };
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/** The API key a request carries: `Authorization: Bearer <key>` or `x-api-key`. */
export function requestKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m !== null) return m[1];
  }
  const key = request.headers["x-api-key"];
  return typeof key === "string" && key !== "" ? key : undefined;
}

/**
 * Check a request's key against `keys` (compared in constant time).
 *
 * @throws HttpError 401 without a key, 403 with a wrong one.
 */
export function checkKey(request: FastifyRequest, keys: readonly string[], what: string): void {
  const key = requestKey(request);
  if (key === undefined)
    throw new HttpError(401, "E_USAGE", `${what} needs an API key`, {
      hint: "send Authorization: Bearer <key> or x-api-key: <key>",
    });
  const d = digest(key);
  if (!keys.some((k) => timingSafeEqual(digest(k), d)))
    throw new HttpError(403, "E_USAGE", `the API key is not valid for ${what}`, {
      hint: "use a key listed in SLUICE_API_KEYS for this role",
    });
}

/** An `onRequest` hook that runs a guard (which throws an {@link HttpError} to refuse). */
export function guardHook(
  guard: (request: FastifyRequest) => void,
): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, _reply, done) => {
    try {
      guard(request);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  };
}
