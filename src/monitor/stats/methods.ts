/**
 * The drift methods by name, with what Evidently 0.4 says about each: its display name,
 * whether it yields a p-value or a distance, its default threshold, and which way the
 * threshold cuts. Names are Evidently's, so a config written for one reads the same in the other.
 */

import { SluiceError } from "../../errors.js";
import { didYouMean } from "../../util/text.js";

/** A drift test, by Evidently's name for it. */
export type DriftMethodName =
  "ks" | "chisquare" | "z" | "wasserstein" | "jensenshannon" | "psi" | "hellinger";

/** What a drift test yields: a p-value (small = drift) or a distance (large = drift). */
export type DriftScoreKind = "p_value" | "distance";

/** The facts about one drift method. */
export interface DriftMethodInfo {
  readonly name: DriftMethodName;
  /** Evidently's display name, e.g. "K-S p_value". */
  readonly label: string;
  readonly kind: DriftScoreKind;
  /** Evidently's default threshold. */
  readonly threshold: number;
  /**
   * How the score is compared with the threshold to call drift: p-values below ("<") or at or
   * below ("<=", Evidently's KS); distances at or above (">=").
   */
  readonly comparison: "<" | "<=" | ">=";
  /** The kinds of feature the method takes. */
  readonly features: readonly ("numeric" | "categorical")[];
}

const BOTH = ["numeric", "categorical"] as const;

/** Every drift method, by name. */
export const DRIFT_METHODS: Readonly<Record<DriftMethodName, DriftMethodInfo>> = {
  ks: {
    name: "ks",
    label: "K-S p_value",
    kind: "p_value",
    threshold: 0.05,
    comparison: "<=",
    features: ["numeric"],
  },
  chisquare: {
    name: "chisquare",
    label: "chi-square p_value",
    kind: "p_value",
    threshold: 0.05,
    comparison: "<",
    features: BOTH,
  },
  z: {
    name: "z",
    label: "Z-test p_value",
    kind: "p_value",
    threshold: 0.05,
    comparison: "<",
    features: BOTH,
  },
  wasserstein: {
    name: "wasserstein",
    label: "Wasserstein distance (normed)",
    kind: "distance",
    threshold: 0.1,
    comparison: ">=",
    features: ["numeric"],
  },
  jensenshannon: {
    name: "jensenshannon",
    label: "Jensen-Shannon distance",
    kind: "distance",
    threshold: 0.1,
    comparison: ">=",
    features: BOTH,
  },
  psi: { name: "psi", label: "PSI", kind: "distance", threshold: 0.1, comparison: ">=", features: BOTH },
  hellinger: {
    name: "hellinger",
    label: "Hellinger distance",
    kind: "distance",
    threshold: 0.1,
    comparison: ">=",
    features: BOTH,
  },
};

/** The method names, in a stable order. */
export const DRIFT_METHOD_NAMES = Object.keys(DRIFT_METHODS) as DriftMethodName[];

/** Names other tools or habits use for the same tests (lower case, no separators), for suggestions. */
const OTHER_NAMES: Readonly<Record<string, DriftMethodName>> = {
  kolmogorovsmirnov: "ks",
  kstest: "ks",
  ks2samp: "ks",
  chi2: "chisquare",
  chisq: "chisquare",
  ztest: "z",
  proportions: "z",
  emd: "wasserstein",
  wassersteindistance: "wasserstein",
  js: "jensenshannon",
  jsd: "jensenshannon",
  jensenshannondistance: "jensenshannon",
  populationstabilityindex: "psi",
  hellingerdistance: "hellinger",
};

/**
 * True when `name` is a drift method's name.
 *
 * @example
 * isDriftMethod("psi"); // true
 * isDriftMethod("auto"); // false: "auto" picks a method, it is not one
 */
export function isDriftMethod(name: string): name is DriftMethodName {
  return Object.prototype.hasOwnProperty.call(DRIFT_METHODS, name);
}

/**
 * A method name from configuration or user input, checked.
 *
 * @throws SluiceError E_DRIFT_TEST for an unknown name, with a "did you mean".
 * @example
 * parseDriftMethod("wasserstein"); // "wasserstein"
 * parseDriftMethod("auto");        // "auto"
 * parseDriftMethod("psy");         // throws: Unknown drift method "psy" (did you mean "psi"?) …
 */
export function parseDriftMethod(name: string): DriftMethodName | "auto" {
  if (name === "auto" || isDriftMethod(name)) return name;
  const candidates = [...DRIFT_METHOD_NAMES, "auto"];
  const key = name.toLowerCase().replace(/[\s_-]+/g, "");
  const alias = OTHER_NAMES[key] ?? (isDriftMethod(key) ? key : undefined);
  const suggestion = alias === undefined ? didYouMean(name, candidates) : ` (did you mean "${alias}"?)`;
  throw new SluiceError("E_DRIFT_TEST", `Unknown drift method "${name}"${suggestion}.`, {
    details: { method: name, known: candidates },
    hint: `Use one of ${candidates.join(", ")}.`,
  });
}

/** True when a score counts as drift under the method's comparison. */
export function isDrift(info: DriftMethodInfo, score: number, threshold: number): boolean {
  switch (info.comparison) {
    case "<":
      return score < threshold;
    case "<=":
      return score <= threshold;
    case ">=":
      return score >= threshold;
  }
}
