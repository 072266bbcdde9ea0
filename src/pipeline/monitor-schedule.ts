/**
 * `sluice monitor --every 1h`: monitoring on a schedule (croner), until stopped. A duration
 * runs within a second, then every so often; a cron expression (`0 * * * *`) runs on its ticks. A
 * monitoring still running when the next tick comes is not started twice (overrun protection),
 * and a failed monitoring is reported and retried at the next tick, never ending the schedule.
 */
import { Cron } from "croner";
import { SluiceError } from "../errors.js";
import { parseDuration } from "../project/duration.js";
import type { Project } from "../project/project.js";
import { monitorProject, type MonitorOptions, type MonitorResult } from "./monitor.js";

export interface ScheduleOptions extends MonitorOptions {
  /** Called after each monitoring. */
  onResult?: (result: MonitorResult) => void;
  /** Called when a monitoring fails (the schedule goes on). */
  onError?: (err: unknown) => void;
}

export interface MonitorSchedule {
  /** Monitorings finished (successfully or not). */
  readonly runs: number;
  /** When the next one starts, or null once stopped. */
  nextRun(): Date | null;
  /** Stop; resolves when a monitoring in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Monitor `project` on a schedule: `every` is a duration (`30m`, `1h`, `1d`) or a 5/6-field
 * cron expression.
 *
 * @throws SluiceError E_USAGE for a schedule that is neither
 * @example
 * const schedule = scheduleMonitor(loadProject("churn"), "1h", { onResult: (r) => console.log(r.report.severity) });
 * process.once("SIGTERM", () => void schedule.stop());
 */
export function scheduleMonitor(
  project: Project,
  every: string,
  options: ScheduleOptions = {},
): MonitorSchedule {
  let runs = 0;
  let running: Promise<void> | undefined;
  const once = (): Promise<void> => {
    if (running !== undefined) return running;
    running = monitorProject(project, options)
      .then(
        (r) => options.onResult?.(r),
        (err: unknown) => options.onError?.(err),
      )
      .finally(() => {
        runs++;
        running = undefined;
      });
    return running;
  };
  const ms = parseDuration(every);
  let job: Cron;
  try {
    job =
      ms !== undefined
        ? new Cron("* * * * * *", { interval: Math.max(1, Math.round(ms / 1000)), protect: true }, () =>
            once(),
          )
        : new Cron(every, { protect: true }, () => once());
  } catch (err) {
    throw new SluiceError(
      "E_USAGE",
      `--every expects a duration (30m, 1h, 1d) or a cron expression, got "${every}"`,
      {
        cause: err,
        details: { every },
        hint: 'e.g. --every 1h, or --every "0 * * * *" for the top of every hour',
      },
    );
  }
  return {
    get runs() {
      return runs;
    },
    nextRun: () => (job.isStopped() ? null : job.nextRun()),
    async stop() {
      job.stop();
      await running;
    },
  };
}
