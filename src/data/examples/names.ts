/**
 * The example projects by name, their defaults, and the checks on user-given options. The CLI
 * passes whatever the user typed, so every check here names the bad value and the way out.
 */
import { SluiceError } from "../../errors.js";
import { editDistance, listing } from "../../util/text.js";

export type ExampleName = "churn" | "fraud" | "housing";

/** Every example, in the order `sluice example --help` lists them. */
export const EXAMPLES: readonly ExampleName[] = Object.freeze(["churn", "fraud", "housing"] as const);

/** Rows written when `rows` is not given: enough for a stable test score, small enough to train in seconds. */
export const DEFAULT_ROWS: Readonly<Record<ExampleName, number>> = Object.freeze({
  churn: 5000,
  fraud: 20000,
  housing: 8000,
});

export const DEFAULT_SEED = 42;

/**
 * Above this, ids would outgrow their documented width and a single file would pass 10 GB;
 * nobody needs a bigger toy dataset.
 */
export const MAX_ROWS = 100_000_000;

export interface ExampleOptions {
  /** Number of data rows (default: churn 5000, fraud 20000, housing 8000). */
  rows?: number;
  /** Seed of the generator (default 42); equal seeds give byte-identical files. */
  seed?: number;
}

/**
 * The example called `name`, or E_USAGE listing the examples with a did-you-mean.
 *
 * @example
 * parseExampleName("churn"); // "churn"
 * parseExampleName("chrun"); // throws: unknown example "chrun" (did you mean "churn"?)
 */
export function parseExampleName(name: string): ExampleName {
  if ((EXAMPLES as readonly string[]).includes(name)) return name as ExampleName;
  const guess = suggestExample(name);
  const mean = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
  throw new SluiceError("E_USAGE", `unknown example ${JSON.stringify(name)}${mean}`, {
    details: { name, examples: [...EXAMPLES] },
    hint: `the examples are ${listing([...EXAMPLES])}: sluice example churn my-churn-project`,
  });
}

/**
 * The example a mistyped name most likely meant. With only three short, distinct names, a
 * looser bound than the usual one is safe: it catches swapped letters ("chrun") and stubs ("hous").
 */
function suggestExample(input: string): ExampleName | undefined {
  const lower = input.toLowerCase();
  let best: ExampleName | undefined;
  let bestDistance = Infinity;
  for (const e of EXAMPLES) {
    const d = lower.length >= 3 && e.startsWith(lower) ? 0 : editDistance(lower, e);
    if (d < bestDistance) {
      bestDistance = d;
      best = e;
    }
  }
  return bestDistance <= 2 ? best : undefined;
}

/** Options with defaults filled in, after checking that rows and seed are usable integers. */
export function resolveOptions(
  name: ExampleName,
  options: ExampleOptions = {},
): { rows: number; seed: number } {
  const rows = options.rows ?? DEFAULT_ROWS[name];
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > MAX_ROWS)
    throw new SluiceError(
      "E_USAGE",
      `--rows must be a whole number from 1 to ${MAX_ROWS}, got ${String(rows)}`,
      {
        details: { rows },
        hint: `leave --rows out for the default of ${DEFAULT_ROWS[name]} rows`,
      },
    );
  if (!Number.isSafeInteger(seed))
    throw new SluiceError("E_USAGE", `--seed must be a whole number, got ${String(seed)}`, {
      details: { seed },
      hint: `leave --seed out for the default seed ${DEFAULT_SEED}`,
    });
  return { rows, seed };
}
