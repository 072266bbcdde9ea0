import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Frame, Row } from "../data/frame.js";
import { EXAMPLES, writeExample } from "../data/examples/index.js";
import { parseFittedFeatures, transformRecord, type FeatureMatrix } from "../features/index.js";
import { loadProject } from "../project/project.js";
import { prepareData } from "./prepare.js";
import { validateProject } from "./validate.js";

const root = mkdtempSync(join(tmpdir(), "sluice-parity-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A row as a client would send it in JSON: datetimes as ISO text, missing as null. */
function requestRecord(frame: Frame, i: number): Row {
  const row = frame.row(i);
  for (const c of frame.columns)
    if (c.kind === "numeric" && c.dtype === "datetime" && typeof row[c.name] === "number")
      row[c.name] = new Date(row[c.name] as number).toISOString();
  return JSON.parse(JSON.stringify(row)) as Row;
}

function firstMismatch(
  X: FeatureMatrix,
  frame: Frame,
  fitted: Parameters<typeof transformRecord>[0],
): string | undefined {
  const out = new Float64Array(X.nCols);
  for (let i = 0; i < frame.nRows; i++) {
    transformRecord(fitted, requestRecord(frame, i), out);
    for (let j = 0; j < X.nCols; j++) {
      const batch = X.data[j * X.nRows + i]!;
      if (!Object.is(batch, out[j]))
        return `row ${i}, column ${X.names[j]}: batch ${batch}, record ${out[j]}`;
    }
  }
  return undefined;
}

describe("training and serving compute the same features", () => {
  for (const name of EXAMPLES) {
    it(`row i of transform(frame) equals transformRecord(record i), bit for bit, on the ${name} example`, async () => {
      const dir = join(root, name);
      await writeExample(name, dir, { rows: 3000, seed: 11 });
      const project = loadProject(dir);
      const validation = await validateProject(project, { quarantine: false });
      expect(validation.passed).toBe(true);
      const prepared = await prepareData(project, validation.kept);
      // The fitted state goes through JSON, as it does when a model is saved and served.
      const shipped = parseFittedFeatures(JSON.parse(JSON.stringify(prepared.features)));
      for (const part of [prepared.train, prepared.validation, prepared.test])
        expect(firstMismatch(part.X, part.frame, shipped)).toBeUndefined();
    });
  }
});
