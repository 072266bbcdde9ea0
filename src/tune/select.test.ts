import { describe, expect, it } from "vitest";
import { chooseWinner } from "./select.js";

describe("chooseWinner", () => {
  it("picks the highest score for a score and the lowest for a loss", () => {
    const c = [
      { name: "a", kind: "gradient_boosting" as const, score: 0.8 },
      { name: "b", kind: "random_forest" as const, score: 0.9 },
      { name: "c", kind: "logistic_regression" as const, score: 0.7 },
    ];
    expect(chooseWinner(c, true)).toBe(1);
    expect(chooseWinner(c, false)).toBe(2);
  });

  it("breaks a tie in favour of the simpler kind, wherever it is listed", () => {
    const c = [
      { name: "gbdt", kind: "gradient_boosting" as const, score: 0.85 },
      { name: "forest", kind: "random_forest" as const, score: 0.85 },
      { name: "logistic", kind: "logistic_regression" as const, score: 0.85 + 1e-12 },
    ];
    expect(chooseWinner(c, true)).toBe(2);
  });

  it("breaks a tie between equally simple kinds by file order", () => {
    const c = [
      { name: "f1", kind: "random_forest" as const, score: 1.5 },
      { name: "f2", kind: "random_forest" as const, score: 1.5 },
    ];
    expect(chooseWinner(c, false)).toBe(0);
  });

  it("does not treat a real difference as a tie", () => {
    const c = [
      { name: "logistic", kind: "logistic_regression" as const, score: 0.85 },
      { name: "gbdt", kind: "gradient_boosting" as const, score: 0.8501 },
    ];
    expect(chooseWinner(c, true)).toBe(1);
  });

  it("never prefers a candidate without a score to one with", () => {
    const c = [
      { name: "a", kind: "ridge" as const, score: NaN },
      { name: "b", kind: "gradient_boosting" as const, score: 12 },
      { name: "c", kind: "ridge" as const, score: NaN },
    ];
    expect(chooseWinner(c, false)).toBe(1);
  });
});
