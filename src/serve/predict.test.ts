import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transformRecord } from "../features/transform.js";
import { buildApp } from "./app.js";
import { riskLevel } from "./predict.js";
import { FixedHolder, trainExample, type TrainedChurn } from "./test-utils/model.js";

let housing: TrainedChurn;
beforeAll(async () => {
  housing = await trainExample("housing", 1200);
}, 120_000);
afterAll(() => rmSync(dirname(housing.dir), { recursive: true, force: true }));

describe("riskLevel", () => {
  const risk = { low: 0, medium: 0.3, high: 0.6 };
  it("gives the highest level whose lower bound is at or below the probability", () => {
    expect(riskLevel(risk, 0)).toBe("low");
    expect(riskLevel(risk, 0.29)).toBe("low");
    expect(riskLevel(risk, 0.3)).toBe("medium");
    expect(riskLevel(risk, 0.95)).toBe("high");
  });
  it("gives no level below every bound or without levels", () => {
    expect(riskLevel({ medium: 0.3, high: 0.6 }, 0.1)).toBeUndefined();
    expect(riskLevel(undefined, 0.9)).toBeUndefined();
  });
});

describe("a regression model", () => {
  it("answers the predicted value only: no probability, confidence or risk", async () => {
    const app = await buildApp({ holder: new FixedHolder([housing.loaded]) });
    try {
      const sample = (await app.inject({ url: "/sample" })).json<Record<string, unknown>>();
      const res = await app.inject({ method: "POST", url: "/predict?explain=true", payload: sample });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ prediction: number; contributions: unknown[] }>();
      const { model, features } = housing.bundle;
      expect(body.prediction).toBe(model.predictOne(transformRecord(features, sample))[0]);
      expect(body).not.toHaveProperty("probability");
      expect(body).not.toHaveProperty("confidence");
      expect(body).not.toHaveProperty("risk");
      expect(body.contributions.length).toBeGreaterThan(0);
      const meta = (await app.inject({ url: `/v2/models/${housing.loaded.name}` })).json<{
        outputs: unknown[];
      }>();
      expect(meta.outputs).toEqual([{ name: "prediction", datatype: "FP64", shape: [-1] }]);
    } finally {
      await app.close();
    }
  });
});
