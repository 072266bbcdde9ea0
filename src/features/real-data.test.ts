/**
 * Feature engineering on real files, when they are present beside the repository:
 * - IBM Telco churn (7,043 customers): SeniorCitizen is 0/1 but categorical, and TotalCharges
 *   holds a single space for the 11 customers with tenure 0;
 * - California housing (20,640 block groups): 207 missing total_bedrooms, and only 5 ISLAND
 *   rows, which a training part can miss entirely.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn, type Column } from "../data/frame.js";
import { ColumnRule, FeatureSpec, type DatasetSchema } from "../project/schema.js";
import { fitFeatures, transform, transformRecord } from "./index.js";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const dataFile = (name: string): string => resolve(repoRoot, "..", "shared", "data", name);
const file = dataFile("WA_Fn-UseC_-Telco-Customer-Churn.csv");
const exists = existsSync(file);
const housingFile = dataFile("housing.csv");
const housingExists = existsSync(housingFile);

const NUMERIC = new Set(["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]);

/** A plain reader for this file: no quoted fields, CRLF line ends, blank cells are missing. */
function readTelco(): Frame {
  const lines = readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const header = lines[0]!.split(",");
  const rows = lines.slice(1).map((l) => l.split(","));
  const columns: Column[] = header.map((name, j) => {
    const cells = rows.map((r) => r[j]!.trim());
    if (name === "customerID") return textColumn(name, cells);
    if (NUMERIC.has(name))
      return numericColumn(
        name,
        Float64Array.from(cells, (c) => (c === "" ? NaN : Number(c))),
        name === "MonthlyCharges" || name === "TotalCharges" ? "float" : "integer",
      );
    if (name === "Churn")
      return numericColumn(
        name,
        Float64Array.from(cells, (c) => (c === "Yes" ? 1 : 0)),
        "integer",
      );
    return categoricalFromStrings(name, cells);
  });
  return new Frame(columns);
}

const schema: DatasetSchema = {
  customerID: ColumnRule.parse({ type: "string", role: "id" }),
  SeniorCitizen: ColumnRule.parse({ type: "category" }),
  Churn: ColumnRule.parse({ type: "integer", role: "target" }),
};

const spec = FeatureSpec.parse({
  derived: { charges_per_month: "TotalCharges / (tenure + 1)", log_total: "log1p(TotalCharges)" },
  binary: {
    is_high_value: "MonthlyCharges > 80",
    fiber_monthly: 'InternetService == "Fiber optic" and Contract == "Month-to-month"',
  },
  binned: { tenure_group: { column: "tenure", bins: 4, encode: "onehot" } },
  numeric: { impute: "median", scale: "standard", missing_indicator: true },
  categorical: { impute: "most_frequent", encode: "onehot", min_frequency: 20 },
  select: { top: 25 },
});

describe("the Telco churn file", () => {
  it.skipIf(!exists)(
    "fits, and transforms every customer identically as a batch and one record at a time (needs ../shared/data)",
    () => {
      const frame = readTelco();
      expect(frame.nRows).toBe(7043);
      const train = frame.slice(0, 5634);
      const test = frame.slice(5634);
      const y = (train.column("Churn") as { values: Float64Array }).values;
      const fitted = fitFeatures(spec, train, { target: "Churn", task: "classification", schema, y });

      expect(fitted.inputs.map((i) => i.name)).not.toContain("customerID");
      expect(fitted.inputs.find((i) => i.name === "SeniorCitizen")).toMatchObject({
        kind: "categorical",
        categories: ["0", "1"],
      });
      const total = fitted.numeric.features.find((f) => f.name === "TotalCharges")!;
      expect(total.missing).toBeGreaterThan(0);
      expect(fitted.outputs).toHaveLength(25);
      // Month-to-month contracts are the best-known single predictor of churn in this file.
      expect(fitted.outputs.map((o) => o.name)).toContain("Contract=Month-to-month");

      for (const part of [train, test]) {
        const m = transform(fitted, part);
        const out = new Float64Array(m.nCols);
        let mismatches = 0;
        for (let i = 0; i < part.nRows; i++) {
          transformRecord(fitted, part.row(i), out);
          for (let j = 0; j < m.nCols; j++) if (!Object.is(out[j], m.data[j * part.nRows + i])) mismatches++;
        }
        expect(mismatches).toBe(0);
        for (const v of m.data) expect(Number.isFinite(v)).toBe(true);
      }
    },
  );
});

/** Columns of housing.csv: all numeric but the last, ocean_proximity. */
function readHousing(): Frame {
  const lines = readFileSync(housingFile, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const header = lines[0]!.split(",");
  const rows = lines.slice(1).map((l) => l.split(","));
  return new Frame(
    header.map((name, j) => {
      const cells = rows.map((r) => r[j]!.trim());
      return name === "ocean_proximity"
        ? categoricalFromStrings(name, cells)
        : numericColumn(
            name,
            Float64Array.from(cells, (c) => (c === "" ? NaN : Number(c))),
          );
    }),
  );
}

describe("the California housing file", () => {
  it.skipIf(!housingExists)(
    "encodes a category training never saw (ISLAND) as all zeros, identically on both paths (needs ../shared/data)",
    () => {
      const frame = readHousing();
      expect(frame.nRows).toBe(20640);
      const proximity = frame.categorical("ocean_proximity");
      const island = proximity.dictionary.indexOf("ISLAND");
      const trainRows: number[] = [];
      const islandRows: number[] = [];
      for (let i = 0; i < frame.nRows; i++) (proximity.codes[i] === island ? islandRows : trainRows).push(i);
      expect(islandRows).toHaveLength(5);
      const train = frame.take(trainRows);
      const fitted = fitFeatures(
        FeatureSpec.parse({
          derived: {
            rooms_per_household: "total_rooms / households",
            bedrooms_share: "total_bedrooms / total_rooms",
          },
          numeric: { missing_indicator: true },
        }),
        train,
        { target: "median_house_value", task: "regression" },
      );
      expect(fitted.numeric.features.find((f) => f.name === "total_bedrooms")).toMatchObject({
        missing: 207,
        indicator: true,
      });
      const names = fitted.outputs.map((o) => o.name);
      expect(names.filter((n) => n.startsWith("ocean_proximity="))).toEqual([
        "ocean_proximity=<1H OCEAN",
        "ocean_proximity=INLAND",
        "ocean_proximity=NEAR BAY",
        "ocean_proximity=NEAR OCEAN",
      ]);
      const islands = frame.take(islandRows);
      const m = transform(fitted, islands);
      for (let i = 0; i < islands.nRows; i++) {
        const row = transformRecord(fitted, islands.row(i));
        names.forEach((n, j) => {
          expect(Object.is(row[j], m.data[j * islands.nRows + i])).toBe(true);
          if (n.startsWith("ocean_proximity=")) expect(row[j]).toBe(0);
        });
      }
    },
  );
});
