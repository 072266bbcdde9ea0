import { describe, expect, it } from "vitest";
import { rocAuc } from "../evaluate/classification.js";
import type { StoredPrediction } from "../track/types.js";
import { liveQuality } from "./quality.js";

function row(
  i: number,
  output: Record<string, unknown>,
  feedback: Record<string, unknown> | null,
): StoredPrediction {
  return {
    id: i,
    requestId: `r${i}`,
    at: i,
    model: "m",
    version: 1,
    input: {},
    output,
    latencyMs: 1,
    feedback,
    feedbackAt: feedback === null ? null : i,
  };
}

describe("liveQuality", () => {
  it("scores binary predictions with feedback against the test metrics", () => {
    const probs = [0.9, 0.8, 0.3, 0.2, 0.6, 0.1, 0.7, 0.4];
    const truth = ["yes", "yes", "no", "no", "no", "no", "yes", "yes"];
    const rows = probs.map((p, i) =>
      row(i, { prediction: p >= 0.5 ? "yes" : "no", probability: p }, { label: truth[i] }),
    );
    rows.push(row(99, { prediction: "no", probability: 0.1 }, null));
    const q = liveQuality(
      rows,
      { task: "classification", target: "churn", classes: ["no", "yes"], positive: "yes" },
      { roc_auc: 0.9, accuracy: 0.8 },
      5,
    );
    expect(q.rows).toBe(8);
    expect(q.unreadable).toBe(0);
    // 6 of 8 right: rows 4 (0.6 → yes, was no) and 7 (0.4 → no, was yes) are wrong.
    expect(q.metrics.accuracy).toBe(0.75);
    const y = truth.map((t) => (t === "yes" ? 1 : 0));
    const proba = probs.flatMap((p) => [1 - p, p]);
    expect(q.metrics.roc_auc).toBeCloseTo(rocAuc(y, proba, { nClasses: 2, positive: 1 }), 12);
    expect(q.change.accuracy).toBeCloseTo(-0.05, 12);
    expect(q.change.roc_auc).toBeCloseTo(q.metrics.roc_auc! - 0.9, 12);
    expect(q.note).toBeUndefined();
  });

  it("reads the truth from label, value, actual or the target's name, and leaves out what it cannot read", () => {
    const rows = [
      row(1, { prediction: "1", probability: 0.9 }, { label: 1 }),
      row(2, { prediction: "0", probability: 0.2 }, { churn: "0" }),
      row(3, { prediction: "0", probability: 0.2 }, { actual: "1" }),
      row(4, { prediction: "1", probability: 0.7 }, { label: "maybe" }),
      row(5, { prediction: "1", probability: 0.7 }, { other: 1 }),
    ];
    const q = liveQuality(
      rows,
      { task: "classification", target: "churn", classes: ["0", "1"], positive: "1" },
      {},
      1,
    );
    expect(q.rows).toBe(5);
    expect(q.unreadable).toBe(2);
    expect(q.metrics.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it("scores regression feedback with RMSE, MAE and R²", () => {
    const rows = [
      row(1, { prediction: 10 }, { value: 12 }),
      row(2, { prediction: 20 }, { value: 18 }),
      row(3, { prediction: 30 }, { value: 30 }),
    ];
    const q = liveQuality(rows, { task: "regression", target: "price" }, { rmse: 1 }, 3);
    expect(q.metrics.rmse).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(q.metrics.mae).toBeCloseTo(4 / 3, 12);
    expect(q.change.rmse).toBeCloseTo(Math.sqrt(8 / 3) - 1, 12);
  });

  it("says so, and computes nothing, with fewer readable rows than it needs", () => {
    const q = liveQuality(
      [row(1, { prediction: 1 }, { value: 1 })],
      { task: "regression", target: "y" },
      {},
      30,
    );
    expect(q.metrics).toEqual({});
    expect(q.note).toBe("1 prediction in the window has readable feedback; live metrics need at least 30");
  });
});
