import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { isSluiceError } from "../errors.js";
import { profileFrame } from "./profile.js";
import {
  parseDataProfile,
  type CategoricalProfile,
  type NumericProfile,
  type TextProfile,
} from "./profile-schema.js";
import { f64, fixture } from "./test-utils/support.js";

interface NumericExpected {
  count: number;
  missing: number;
  zeros: number;
  distinct: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number | null;
  quantiles?: number[];
  histogram?: { counts: number[]; edges: number[] };
}
interface ProfileFixture {
  rows: number;
  quantiles: number[];
  numeric: Record<string, { values: (number | null)[]; expected: Record<string, NumericExpected> }>;
  categorical: Record<
    string,
    {
      values: (string | null)[];
      expected: {
        count: number;
        missing: number;
        distinct: number;
        top: { value: string; count: number; fraction: number }[];
      };
    }
  >;
  text: Record<
    string,
    {
      values: (string | null)[];
      expected: { count: number; missing: number; distinct: number; minLength: number; maxLength: number };
    }
  >;
}
const ref = fixture<ProfileFixture>("profile-reference.json");

function close(actual: number | null, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  const tol = 1e-12 * Math.max(1, Math.abs(expected));
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

function referenceFrame(): Frame {
  return new Frame([
    ...Object.entries(ref.numeric).map(([name, c]) => numericColumn(name, f64(c.values))),
    ...Object.entries(ref.categorical).map(([name, c]) => categoricalFromStrings(name, c.values)),
    ...Object.entries(ref.text).map(([name, c]) => textColumn(name, c.values)),
  ]);
}

describe("profileFrame", () => {
  for (const bins of [20, 7]) {
    it(`matches numpy and pandas for numeric columns (${bins} bins)`, () => {
      const profile = profileFrame(referenceFrame(), { bins });
      expect(profile.rows).toBe(ref.rows);
      for (const [name, c] of Object.entries(ref.numeric)) {
        const e = c.expected[String(bins)]!;
        const p = profile.columns.find((x) => x.name === name) as NumericProfile;
        expect(p.kind).toBe("numeric");
        expect(
          { count: p.count, missing: p.missing, zeros: p.zeros, distinct: p.distinct.count },
          name,
        ).toEqual({
          count: e.count,
          missing: e.missing,
          zeros: e.zeros,
          distinct: e.distinct,
        });
        close(p.min, e.min!, `${name} min`);
        close(p.max, e.max!, `${name} max`);
        close(p.mean, e.mean!, `${name} mean`);
        if (e.std === null) expect(p.std, `${name} std`).toBeNull();
        else close(p.std, e.std!, `${name} std`);
        expect(p.quantiles.map((q) => q.q)).toEqual(ref.quantiles);
        p.quantiles.forEach((q, i) => close(q.value, e.quantiles![i]!, `${name} q${q.q}`));
        expect(p.histogram!.counts, `${name} histogram counts`).toEqual(e.histogram!.counts);
        p.histogram!.edges.forEach((edge, i) => close(edge, e.histogram!.edges[i]!, `${name} edge ${i}`));
      }
    });
  }

  it("matches pandas value_counts for a categorical column", () => {
    const profile = profileFrame(referenceFrame(), { topK: 4 });
    const [name, c] = Object.entries(ref.categorical)[0]!;
    const p = profile.columns.find((x) => x.name === name) as CategoricalProfile;
    expect({ count: p.count, missing: p.missing, distinct: p.distinct.count }).toEqual({
      count: c.expected.count,
      missing: c.expected.missing,
      distinct: c.expected.distinct,
    });
    expect(p.top.map((t) => [t.value, t.count])).toEqual(
      c.expected.top.slice(0, 4).map((t) => [t.value, t.count]),
    );
    p.top.forEach((t, i) => close(t.fraction, c.expected.top[i]!.fraction, `fraction of ${t.value}`));
    const rest = c.expected.top.slice(4).reduce((a, t) => a + t.count, 0);
    expect(p.otherCount).toBe(rest);
  });

  it("matches pandas for a text column, counting lengths in code points", () => {
    const profile = profileFrame(referenceFrame());
    const [name, c] = Object.entries(ref.text)[0]!;
    const p = profile.columns.find((x) => x.name === name) as TextProfile;
    expect({
      count: p.count,
      missing: p.missing,
      distinct: p.distinct.count,
      minLength: p.minLength,
      maxLength: p.maxLength,
    }).toEqual(c.expected);
    expect(p.examples).toHaveLength(5);
    expect(new Set(p.examples).size).toBe(5);
  });

  it("caps distinct counts above 10,000 and says so", () => {
    const n = 12_345;
    const frame = new Frame([
      numericColumn(
        "x",
        Float64Array.from({ length: n }, (_, i) => i * 0.5),
      ),
      textColumn(
        "t",
        Array.from({ length: n }, (_, i) => `v${i}`),
      ),
    ]);
    const [x, t] = profileFrame(frame).columns;
    expect(x!.distinct).toEqual({ count: 10_000, capped: true });
    expect(t!.distinct).toEqual({ count: 10_000, capped: true });
  });

  it("records null, never NaN, for statistics of an all-missing column, and survives JSON", () => {
    const frame = new Frame([
      numericColumn("empty", f64([null, null, null])),
      categoricalFromStrings("c", [null, null, null]),
    ]);
    const profile = profileFrame(frame);
    const p = profile.columns[0] as NumericProfile;
    expect([p.min, p.max, p.mean, p.std, p.histogram]).toEqual([null, null, null, null, null]);
    expect(p.quantiles).toEqual([]);
    const text = JSON.stringify(profile);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(parseDataProfile(JSON.parse(text))).toEqual(profile);
  });

  it("profiles only the columns asked for, in that order", () => {
    const profile = profileFrame(referenceFrame(), { columns: ["ties", "normal"] });
    expect(profile.columns.map((c) => c.name)).toEqual(["ties", "normal"]);
  });

  it("refuses an unknown column name with a did-you-mean", () => {
    expect(() => profileFrame(referenceFrame(), { columns: ["normall"] })).toThrow(/did you mean "normal"/);
  });
});

describe("parseDataProfile", () => {
  const good = (): unknown => JSON.parse(JSON.stringify(profileFrame(referenceFrame())));

  it("reads back what profileFrame wrote", () => {
    expect(parseDataProfile(good())).toEqual(profileFrame(referenceFrame()));
  });

  it("refuses another format version, naming both versions", () => {
    const p = good() as { formatVersion: number };
    p.formatVersion = 2;
    try {
      parseDataProfile(p);
      expect.unreachable();
    } catch (err) {
      expect(isSluiceError(err, "E_FORMAT")).toBe(true);
      expect((err as Error).message).toMatch(/formatVersion 2; Sluice .* reads formatVersion 1/);
    }
  });

  it("refuses corrupt input with the path of the first problem", () => {
    const p = good() as { columns: { count: unknown }[] };
    p.columns[1]!.count = "many";
    expect(() => parseDataProfile(p)).toThrow(/damaged at columns\[1\]\.count/);
    expect(() => parseDataProfile([1, 2])).toThrow(/must be a JSON object, got an array/);
    expect(() => parseDataProfile({ rows: 3 })).toThrow(/no formatVersion/);
  });
});
