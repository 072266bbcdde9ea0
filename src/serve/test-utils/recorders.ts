/**
 * In-memory {@link PredictionSink} and {@link ServeMetrics} for app tests: they keep what they
 * were given so tests can read it back.
 */
import type { PredictionRecord, PredictionSink, ServeMetrics } from "../types.js";

/** A sink that keeps every pushed record. */
export class MemorySink implements PredictionSink {
  readonly records: PredictionRecord[] = [];
  push(record: PredictionRecord): void {
    this.records.push(record);
  }
  depth(): number {
    return 0;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Metrics that keep every observation and render them as lines of text. */
export class MemoryMetrics implements ServeMetrics {
  readonly requests: { route: string; method: string; status: number; seconds: number }[] = [];
  readonly predictions: { label: string; probability: number | undefined }[] = [];
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.push({ route, method, status, seconds });
  }
  observePrediction(label: string, probability: number | undefined): void {
    this.predictions.push({ label, probability });
  }
  setModel(): void {}
  reloadFailed(): void {}
  render(): Promise<string> {
    return Promise.resolve(`sluice_test_requests_total ${this.requests.length}\n`);
  }
}
