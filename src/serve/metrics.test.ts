import { describe, expect, it } from "vitest";
import { createServeMetrics } from "./metrics.js";

describe("createServeMetrics", () => {
  it("renders every serving metric after observing requests, predictions, a model and a refused reload", async () => {
    let depth = 7;
    const metrics = createServeMetrics({ queueDepth: () => depth });
    metrics.observeRequest("/predict", "POST", 200, 0.0012);
    metrics.observeRequest("/predict", "POST", 422, 0.0004);
    metrics.observePrediction("yes", 0.83);
    metrics.observePrediction("no", 0.12);
    metrics.setModel("churn_predictor", 3);
    metrics.reloadFailed();
    const text = await metrics.render();
    expect(text).toContain('http_requests_total{route="/predict",method="POST",status="200"} 1');
    expect(text).toContain('http_requests_total{route="/predict",method="POST",status="422"} 1');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.0005",route="/predict",method="POST"} 1',
    );
    expect(text).toContain('http_request_duration_seconds_bucket{le="1",route="/predict",method="POST"} 2');
    expect(text).toContain('predictions_total{label="yes"} 1');
    expect(text).toContain('predictions_total{label="no"} 1');
    expect(text).toContain('prediction_probability_bucket{le="0.1"} 0');
    expect(text).toContain('prediction_probability_bucket{le="0.2"} 1');
    expect(text).toContain('prediction_probability_bucket{le="0.9"} 2');
    expect(text).toContain('model_info{name="churn_predictor",version="3"} 1');
    expect(text).toContain("model_reload_failures_total 1");
    expect(text).toContain("prediction_log_queue_depth 7");
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    depth = 2;
    expect(await metrics.render()).toContain("prediction_log_queue_depth 2");
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it("keeps only the serving model in model_info after a swap", async () => {
    const metrics = createServeMetrics({ processMetrics: false });
    metrics.setModel("churn_predictor", 1);
    metrics.setModel("churn_predictor", 2);
    const text = await metrics.render();
    expect(text).toContain('model_info{name="churn_predictor",version="2"} 1');
    expect(text).not.toContain('version="1"');
  });

  it("keeps the counts of two servers in one process apart", async () => {
    const a = createServeMetrics({ processMetrics: false });
    const b = createServeMetrics({ processMetrics: false });
    a.observePrediction("yes", 0.9);
    expect(await a.render()).toContain('predictions_total{label="yes"} 1');
    expect(await b.render()).not.toContain('predictions_total{label="yes"}');
  });

  it("writes request series in the text format: cumulative buckets, +Inf, sum, count, escaped labels, common labels", async () => {
    const metrics = createServeMetrics({ processMetrics: false, labels: { worker: "2" } });
    metrics.observeRequest("/predict", "POST", 200, 0.003);
    metrics.observeRequest("/predict", "POST", 200, 2);
    metrics.observeRequest('/odd"\\\n', "GET", 404, 0.0001);
    metrics.observePrediction("yes", 0.35);
    metrics.observePrediction("yes", Number.NaN);
    const text = await metrics.render();
    const lines = text.split("\n");
    const series = (prefix: string): string[] => lines.filter((l) => l.startsWith(prefix));
    expect(series('http_request_duration_seconds_bucket{le="0.0025",route="/predict"')).toEqual([
      'http_request_duration_seconds_bucket{le="0.0025",route="/predict",method="POST",worker="2"} 0',
    ]);
    expect(series('http_request_duration_seconds_bucket{le="0.005",route="/predict"')[0]).toMatch(/ 1$/);
    expect(series('http_request_duration_seconds_bucket{le="1",route="/predict"')[0]).toMatch(/ 1$/);
    expect(series('http_request_duration_seconds_bucket{le="+Inf",route="/predict"')[0]).toMatch(/ 2$/);
    expect(lines).toContain(
      'http_request_duration_seconds_sum{route="/predict",method="POST",worker="2"} 2.003',
    );
    expect(lines).toContain(
      'http_request_duration_seconds_count{route="/predict",method="POST",worker="2"} 2',
    );
    expect(lines).toContain('http_requests_total{route="/predict",method="POST",status="200",worker="2"} 2');
    expect(lines).toContain(
      'http_requests_total{route="/odd\\"\\\\\\n",method="GET",status="404",worker="2"} 1',
    );
    expect(lines).toContain('predictions_total{label="yes",worker="2"} 2');
    expect(lines).toContain('prediction_probability_bucket{le="0.4",worker="2"} 1');
    expect(lines).toContain('prediction_probability_count{worker="2"} 1');
    expect(lines).toContain('model_reload_failures_total{worker="2"} 0');
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    expect(text).toContain("# TYPE predictions_total counter");
  });

  it("reads the queue depth from the source set after creation", async () => {
    const metrics = createServeMetrics({ processMetrics: false });
    expect(await metrics.render()).toContain("prediction_log_queue_depth 0");
    metrics.setQueueDepth(() => 42);
    expect(await metrics.render()).toContain("prediction_log_queue_depth 42");
  });
});
