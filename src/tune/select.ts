/**
 * Picking the winner among candidates by their cross-validated score.
 *
 * Ties: candidates whose CV means differ by less than 1e-9 (relative) tie, and the simpler kind
 * wins (linear models, then random forests, then gradient boosting: simpler to explain and
 * faster to serve), then the one listed first in the project file. Fit time is deliberately not
 * a tie-breaker: it varies between runs, and the choice must not.
 */
import type { ModelKind } from "../project/schema.js";

/** Simplicity rank of a kind: lower is simpler. */
export const KIND_SIMPLICITY: Readonly<Record<ModelKind, number>> = {
  ridge: 0,
  logistic_regression: 0,
  random_forest: 1,
  gradient_boosting: 2,
};

/** What the choice looks at. */
export interface Contender {
  name: string;
  kind: ModelKind;
  /** The CV mean of the select metric (NaN: never wins over a finite score). */
  score: number;
}

function tie(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * The index of the winner (see the file comment for ties).
 *
 * @example
 * chooseWinner([{ name: "logistic", kind: "logistic_regression", score: 0.84 }, { name: "gbdt", kind: "gradient_boosting", score: 0.85 }], true); // 1
 */
export function chooseWinner(contenders: readonly Contender[], higherIsBetter: boolean): number {
  let best = -1;
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[i]!;
    if (best < 0) {
      best = i;
      continue;
    }
    const b = contenders[best]!;
    if (!Number.isFinite(c.score)) continue;
    if (!Number.isFinite(b.score)) {
      best = i;
      continue;
    }
    if (tie(c.score, b.score)) {
      if (KIND_SIMPLICITY[c.kind] < KIND_SIMPLICITY[b.kind]) best = i;
      continue;
    }
    if (higherIsBetter ? c.score > b.score : c.score < b.score) best = i;
  }
  return best;
}
