/**
 * Progress reporting for long work. Library functions take an optional {@link Progress} and
 * report steps through it; the CLI draws bars and step lines, scripts and tests pass nothing.
 */

/** One step of work in progress. */
export interface ProgressStep {
  /** Report how much is done (and, once known, of how much). */
  update(done: number, total?: number): void;
  /** The step finished; `summary` is a short result ("7,043 rows, 21 columns"). */
  done(summary?: string): void;
  /** The step failed; the error itself is reported by whoever catches it. */
  fail(summary?: string): void;
}

/** Something that shows progress to a person, or nothing. */
export interface Progress {
  /** Start a step. `total` is the number of units when known (rows, trees, folds). */
  step(name: string, total?: number): ProgressStep;
  /** A line of information between steps. */
  info(message: string): void;
  /** A warning worth a person's attention. */
  warn(message: string): void;
}

const silentStep: ProgressStep = { update() {}, done() {}, fail() {} };

/** Reports nothing. The default of every library function. */
export const silentProgress: Progress = {
  step: () => silentStep,
  info() {},
  warn() {},
};

/** Run `fn` as a step: done with its summary, or failed when it throws. */
export async function withStep<T>(
  progress: Progress,
  name: string,
  fn: (step: ProgressStep) => Promise<T> | T,
  summarize?: (result: T) => string,
): Promise<T> {
  const step = progress.step(name);
  try {
    const result = await fn(step);
    step.done(summarize?.(result));
    return result;
  } catch (err) {
    step.fail();
    throw err;
  }
}
