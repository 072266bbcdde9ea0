/**
 * Webhook alerts: one JSON POST per drift result that reaches `monitor.alerts.on`, naming the
 * model, version, severity and drifted features. Each try is bounded by a timeout; failures
 * (a timeout, a refused connection, a non-2xx answer) are retried with exponential backoff,
 * and the last failure is returned, never thrown: an alert that cannot be delivered must not
 * stop monitoring.
 */
import type { DriftSeverity } from "../track/types.js";

/** The JSON body of an alert. */
export interface AlertBody {
  /** Always "sluice.drift". */
  type: "sluice.drift";
  model: string;
  version: number | null;
  severity: DriftSeverity;
  datasetDrift: boolean;
  /** Share of tested features that drifted. */
  driftShare: number;
  driftedFeatures: string[];
  /** Whether the prediction itself drifted. */
  predictionDrift: boolean;
  /** Why this severity, in one sentence. */
  reason: string;
  /** ISO 8601. */
  at: string;
  /** The HTML report, when written. */
  report?: string;
  /** What the current data was. */
  source: string;
}

export interface AlertOptions {
  /** Milliseconds per try. Default 5000. */
  timeoutMs?: number;
  /** Tries after the first. Default 3. */
  retries?: number;
  /** First backoff in milliseconds, doubled each retry. Default 500. */
  backoffMs?: number;
  /** For tests: the fetch to use. */
  fetch?: typeof fetch;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AlertOutcome {
  status: "sent" | "failed";
  attempts: number;
  /** The HTTP status of the last answer, when there was one. */
  httpStatus?: number;
  /** Why the last try failed. */
  error?: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * POST `body` as JSON to `url`, retrying failures with exponential backoff.
 *
 * @example
 * const outcome = await sendAlert("https://hooks.example.com/drift", body, { timeoutMs: 5000, retries: 3 });
 * outcome.status; // "sent" | "failed" (never throws)
 */
export async function sendAlert(
  url: string,
  body: AlertBody,
  options: AlertOptions = {},
): Promise<AlertOutcome> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const payload = JSON.stringify(body);
  let last: AlertOutcome = { status: "failed", attempts: 0 };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "sluice-monitor" },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection is released.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { status: "sent", attempts: attempt, httpStatus: res.status };
      last = {
        status: "failed",
        attempts: attempt,
        httpStatus: res.status,
        error: `the webhook answered ${res.status}`,
      };
    } catch (err) {
      const e = err as Error;
      const message =
        e.name === "TimeoutError" || e.name === "AbortError"
          ? `no answer within ${timeoutMs} ms`
          : `${e.message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause: { code: string } }).cause.code})` : ""}`;
      last = { status: "failed", attempts: attempt, error: message };
    }
    if (attempt <= retries) await sleep(backoffMs * 2 ** (attempt - 1));
  }
  return last;
}
