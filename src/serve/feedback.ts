/**
 * `POST /feedback`: ground truth for predictions the server made, sent when it is known (the
 * customer churned, the transaction was fraud). It is attached to the logged prediction, so
 * `sluice monitor` can report live quality against the version's test scores.
 *
 * One item `{"request_id": "…", "label": "1"}` or a batch `{"feedback": [ … ]}`; everything but
 * the request id is kept as the feedback (`label` for classes, `value` for numbers). A request
 * id is the `x-request-id` of the answer (`<id>-<i>` for instance i of a batch).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { FieldIssue } from "../features/values.js";
import type { FeedbackInput } from "../track/types.js";
import { describeValue } from "../util/text.js";
import { HttpError } from "./http.js";

/** Records feedback (the store's `recordFeedback`). */
export type FeedbackRecorder = (items: readonly FeedbackInput[]) => Promise<{ updated: number }>;

/** The most feedback items one request may carry. */
export const MAX_FEEDBACK_ITEMS = 10_000;

export interface FeedbackRouteOptions {
  /** Undefined when the server keeps no prediction log: the route then answers 503. */
  record: FeedbackRecorder | undefined;
  /** Write what the prediction log still holds in memory first, so fresh predictions are found. */
  flush?: () => Promise<void>;
  /** The same check as /predict (API keys). */
  guard?: (request: FastifyRequest) => void;
}

function issue(field: string, expected: string, value: unknown): FieldIssue {
  const got = describeValue(value);
  return { field, expected, got, message: `field "${field}": expected ${expected}, got ${got}` };
}

/** The feedback items of a body, or every field error at once. */
export function parseFeedbackBody(body: unknown): FeedbackInput[] {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new HttpError(422, "E_RECORD", "the body must be a JSON object", {
      hint: 'send {"request_id": "…", "label": "1"} or {"feedback": [ … ]}',
    });
  const batch = Object.hasOwn(body, "feedback");
  const raw: unknown[] = batch ? ((body as { feedback: unknown }).feedback as unknown[]) : [body];
  if (!Array.isArray(raw))
    throw new HttpError(422, "E_RECORD", '"feedback" must be an array of items', {
      fields: [issue("feedback", "an array of feedback items", (body as { feedback: unknown }).feedback)],
    });
  if (raw.length === 0)
    throw new HttpError(422, "E_RECORD", '"feedback" is empty', {
      hint: 'send at least one {"request_id": "…", "label": …}',
    });
  if (raw.length > MAX_FEEDBACK_ITEMS)
    throw new HttpError(
      413,
      "E_DATA_TOO_LARGE",
      `${raw.length} feedback items in one request: the limit is ${MAX_FEEDBACK_ITEMS}`,
      {
        hint: `send at most ${MAX_FEEDBACK_ITEMS} items per request`,
      },
    );
  const fields: FieldIssue[] = [];
  const items: FeedbackInput[] = [];
  raw.forEach((item, i) => {
    const at = batch ? `feedback[${i}]` : "";
    const name = (f: string): string => (at === "" ? f : `${at}.${f}`);
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      fields.push(issue(at || "body", "an object", item));
      return;
    }
    const { request_id: requestId, ...rest } = item as Record<string, unknown>;
    if (typeof requestId !== "string" || requestId === "") {
      fields.push(issue(name("request_id"), "the request id of a prediction (its x-request-id)", requestId));
      return;
    }
    if (Object.keys(rest).length === 0) {
      fields.push(issue(name("label"), 'the truth, e.g. "label": "1" or "value": 412000', undefined));
      return;
    }
    items.push({ requestId, feedback: rest });
  });
  if (fields.length > 0)
    throw new HttpError(
      422,
      "E_RECORD",
      fields.length === 1
        ? fields[0]!.message
        : `${fields.length} feedback fields are wrong: ${fields.map((f) => f.message).join("; ")}`,
      { fields },
    );
  return items;
}

/** Add `POST /feedback` to the app. */
export function registerFeedback(app: FastifyInstance, options: FeedbackRouteOptions): void {
  app.post(
    "/feedback",
    {
      schema: {
        summary: "Ground truth for logged predictions: {request_id, label} or {feedback: [...]}",
        tags: ["monitor"],
      },
      ...(options.guard === undefined
        ? {}
        : {
            onRequest: (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void) => {
              try {
                options.guard!(request);
                done();
              } catch (err) {
                done(err as Error);
              }
            },
          }),
    },
    async (request) => {
      if (options.record === undefined)
        throw new HttpError(
          503,
          "E_STORE",
          "this server keeps no prediction log, so feedback has nothing to attach to",
          {
            hint: "serve from a project with a store and serve.log_predictions: true",
          },
        );
      const items = parseFeedbackBody(request.body);
      await options.flush?.();
      const { updated } = await options.record(items);
      return { recorded: items.length, predictions: updated };
    },
  );
}
