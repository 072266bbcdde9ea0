/**
 * The terminal side of progress: a live bar for steps with a known total on a TTY, and one
 * line per finished step everywhere (logs, CI). Everything goes to stderr so stdout stays
 * clean for `--json` and for data.
 */
import cliProgress from "cli-progress";
import pc from "picocolors";
import type { Progress, ProgressStep } from "../util/progress.js";

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** Progress drawn on stderr. */
export class TerminalProgress implements Progress {
  private readonly tty: boolean;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.out = out;
    this.tty = out.isTTY === true && process.env.CI === undefined;
  }

  step(name: string, total?: number): ProgressStep {
    const started = performance.now();
    let bar: cliProgress.SingleBar | undefined;
    let lastTotal = total;
    const startBar = (t: number): void => {
      if (!this.tty || bar !== undefined) return;
      bar = new cliProgress.SingleBar(
        {
          format: `  ${pc.cyan("{bar}")} {percentage}% | ${name} | {value}/{total} | {duration_formatted}`,
          stream: this.out,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(t, 0);
    };
    if (total !== undefined) startBar(total);
    else if (this.tty) this.out.write(`  ${pc.dim("…")} ${name}\r`);
    const finish = (mark: string, summary?: string): void => {
      bar?.stop();
      if (this.tty && bar === undefined) this.out.write("\x1b[2K\r");
      const tail = summary === undefined || summary === "" ? "" : pc.dim(` — ${summary}`);
      this.out.write(`  ${mark} ${name} ${pc.dim(`(${seconds(performance.now() - started)})`)}${tail}\n`);
    };
    return {
      update: (done, t) => {
        if (t !== undefined && t !== lastTotal) {
          lastTotal = t;
          if (bar === undefined) startBar(t);
          else bar.setTotal(t);
        }
        bar?.update(done);
      },
      done: (summary) => finish(pc.green("✓"), summary),
      fail: (summary) => finish(pc.red("✗"), summary),
    };
  }

  info(message: string): void {
    this.out.write(`  ${message}\n`);
  }

  warn(message: string): void {
    this.out.write(`  ${pc.yellow("!")} ${message}\n`);
  }
}
