import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-utils/run-cli.js";

interface CandidateJson {
  name: string;
  kind: string;
  fitSeconds: number;
  cv: {
    folds: { scores: Record<string, number> }[];
    mean: Record<string, number>;
    std: Record<string, number>;
  };
  test: Record<string, number>;
  search?: { trials: unknown[] };
}
interface TrainJson {
  ok: boolean;
  select: string;
  winner: string;
  candidates: CandidateJson[];
  files: { model: string; features: string; report: string };
}

const root = mkdtempSync(join(tmpdir(), "sluice-train-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dirs: Record<string, string> = {};
beforeAll(async () => {
  for (const [name, rows] of [
    ["churn", 2000],
    ["fraud", 3000],
    ["housing", 1500],
  ] as const) {
    dirs[name] = join(root, name);
    const r = await runCli(["example", name, dirs[name], "--rows", String(rows), "--json"]);
    expect(r.code).toBe(0);
  }
});

function winnerOf(j: TrainJson): CandidateJson {
  return j.candidates.find((c) => c.name === j.winner)!;
}

describe("sluice train --json", () => {
  it("trains every churn candidate and chooses one with a test ROC AUC in 0.78–0.92", async () => {
    const r = await runCli(["train", dirs.churn!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<TrainJson>();
    expect(j.ok).toBe(true);
    expect(j.select).toBe("roc_auc");
    expect(j.candidates.map((c) => c.name)).toEqual(["logistic", "forest", "gbdt"]);
    for (const c of j.candidates) {
      expect(c.cv.folds).toHaveLength(5);
      expect(c.cv.mean.roc_auc!).toBeGreaterThan(0.75);
      expect(c.cv.std.roc_auc!).toBeLessThan(0.06);
      expect(c.fitSeconds).toBeGreaterThan(0);
    }
    expect(j.candidates[2]!.search!.trials).toHaveLength(20);
    const best = winnerOf(j);
    expect(best.test.roc_auc!).toBeGreaterThanOrEqual(0.78);
    expect(best.test.roc_auc!).toBeLessThanOrEqual(0.92);
    for (const f of ["model", "features", "report"] as const) expect(existsSync(j.files[f]), f).toBe(true);
  });

  it("trains the fraud example, ranking frauds well above their 2% base rate", async () => {
    const r = await runCli(["train", dirs.fraud!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<TrainJson>();
    expect(j.select).toBe("pr_auc");
    const best = winnerOf(j);
    expect(best.cv.mean.pr_auc!).toBeGreaterThan(0.1);
    expect(best.test.roc_auc!).toBeGreaterThan(0.75);
  });

  it("trains the housing example by RMSE, explaining most of the variance", async () => {
    const r = await runCli(["train", dirs.housing!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<TrainJson>();
    expect(j.select).toBe("rmse");
    const best = winnerOf(j);
    expect(best.test.r2!).toBeGreaterThan(0.6);
    // The winner has the lowest CV RMSE.
    expect(best.cv.mean.rmse).toBe(Math.min(...j.candidates.map((c) => c.cv.mean.rmse!)));
  });

  it("trains only the candidates named by --candidates", async () => {
    const r = await runCli(["train", dirs.churn!, "--candidates", "logistic,forest", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<TrainJson>().candidates.map((c) => c.name)).toEqual(["logistic", "forest"]);
  });

  it("refuses a misspelt candidate with exit 2 and a did-you-mean", async () => {
    const r = await runCli(["train", dirs.churn!, "--candidates", "logistc", "--json"]);
    expect(r.code).toBe(2);
    const j = r.json<{ ok: boolean; error: { code: string; message: string; hint: string } }>();
    expect(j.error.code).toBe("E_USAGE");
    expect(j.error.message).toMatch(/did you mean "logistic"/);
    expect(j.error.hint).toMatch(/logistic, forest, gbdt/);
  });
});

describe("sluice train", () => {
  it("prints a leaderboard with CV and test scores and names the winner", async () => {
    const r = await runCli(["train", dirs.churn!, "--candidates", "logistic,forest"], { NO_COLOR: "1" });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^candidate\s+kind\s+CV roc_auc \(5 folds\)\s+test roc_auc\s+test accuracy\s+test f1\s+fit s$/,
    );
    expect(r.stdout).toMatch(/logistic\s+.*logistic_regression\s+0\.\d{4} ± 0\.\d{4}\s+0\.\d{4}/);
    expect(r.stdout).toMatch(/forest\s+.*random_forest/);
    expect(r.stdout).toMatch(/★/);
    expect(r.stdout).toMatch(
      /chose (logistic|forest) \((logistic_regression|random_forest)\): CV roc_auc 0\.\d{4} ± 0\.\d{4}/,
    );
    expect(r.stdout).toMatch(/model\s+.*model\.json/);
    expect(r.stderr).toMatch(/cross-validation/);
  });

  it("explains itself in --help with examples", async () => {
    const r = await runCli(["train", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--candidates <names>/);
    expect(r.stdout).toMatch(/\$ sluice train demo --candidates gbdt,forest/);
  });
});

describe("sluice run with training", () => {
  it("writes the chosen model and the leaderboard into the run folder", async () => {
    const r = await runCli(["run", dirs.churn!, "--candidates", "logistic", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{
      status: string;
      artifacts: Record<string, string>;
      training: { winner: string; select: string; candidates: { name: string; cv: { mean: number } }[] };
    }>();
    expect(s.status).toBe("finished");
    expect(s.training.winner).toBe("logistic");
    expect(s.training.candidates[0]!.cv.mean).toBeGreaterThan(0.75);
    for (const key of ["model", "train", "features", "summary"])
      expect(existsSync(s.artifacts[key]!), key).toBe(true);
    const report = JSON.parse(readFileSync(s.artifacts.train!, "utf8")) as { winner: string };
    expect(report.winner).toBe("logistic");
  });

  it("prints the leaderboard after the data steps", async () => {
    const r = await runCli(["run", dirs.churn!, "--candidates", "logistic"], { NO_COLOR: "1" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/features: .*\n\ncandidate\s+kind/);
    expect(r.stdout).toMatch(/chose logistic/);
  });
});
