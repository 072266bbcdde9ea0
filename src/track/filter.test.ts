import { describe, expect, it } from "vitest";
import { parseFilter, parseOrderKey } from "./filter.js";
import { expectSluiceError } from "./store.contract.js";

describe("parseFilter", () => {
  it("reads an empty filter as no clauses", () => {
    expect(parseFilter(undefined)).toEqual([]);
    expect(parseFilter("   ")).toEqual([]);
  });

  it("parses clauses joined by and, with metric numbers and quoted text", () => {
    expect(
      parseFilter("metrics.roc_auc > 0.8 AND params.kind = 'gradient_boosting' and tags.team != \"risk\""),
    ).toEqual([
      { entity: "metrics", key: "roc_auc", op: ">", value: 0.8 },
      { entity: "params", key: "kind", op: "=", value: "gradient_boosting" },
      { entity: "tags", key: "team", op: "!=", value: "risk" },
    ]);
  });

  it("accepts singular entities, == and <>, negative and exponent numbers", () => {
    expect(parseFilter("metric.loss <= -1.5e-3 and param.a == 'x' and tag.b <> 'y'")).toEqual([
      { entity: "metrics", key: "loss", op: "<=", value: -0.0015 },
      { entity: "params", key: "a", op: "=", value: "x" },
      { entity: "tags", key: "b", op: "!=", value: "y" },
    ]);
  });

  it("reads keys with dots and dashes, and any key in backticks", () => {
    expect(parseFilter("metrics.cv.roc-auc >= 1 and params.`learning rate (log)` = '0.1'")).toEqual([
      { entity: "metrics", key: "cv.roc-auc", op: ">=", value: 1 },
      { entity: "params", key: "learning rate (log)", op: "=", value: "0.1" },
    ]);
  });

  it("parses like, ilike, not like, in lists and is (not) null", () => {
    expect(
      parseFilter("params.kind LIKE 'grad%' and tags.x ilike '%A%' and params.y not like 'z%'"),
    ).toMatchObject([
      { op: "like", value: "grad%" },
      { op: "ilike", value: "%A%" },
      { op: "not like", value: "z%" },
    ]);
    expect(
      parseFilter("attributes.status in ('finished', 'failed') and params.k not in ('a')"),
    ).toMatchObject([
      { entity: "attributes", key: "status", op: "in", value: ["finished", "failed"] },
      { op: "not in", value: ["a"] },
    ]);
    expect(parseFilter("attributes.parent_run_id is null and metrics.auc is not null")).toMatchObject([
      { op: "is null", value: null },
      { op: "is not null", value: null },
    ]);
  });

  it("unescapes doubled and backslashed quotes in strings", () => {
    expect(parseFilter("params.a = 'o''brien' and params.b = \"say \\\"hi\\\"\"")).toMatchObject([
      { value: "o'brien" },
      { value: 'say "hi"' },
    ]);
  });

  it("reads numeric attributes as numbers, also when quoted", () => {
    expect(parseFilter("attributes.start_time > '1700000000000' and attributes.end_time < 5")).toMatchObject([
      { key: "start_time", value: 1700000000000 },
      { key: "end_time", value: 5 },
    ]);
  });

  it("names the bad token and its position", async () => {
    await expectSluiceError(
      () => parseFilter("metrics.auc > 0.8 and"),
      "E_FILTER",
      "expected a clause",
      "at the end",
    );
    await expectSluiceError(
      () => parseFilter("metrics.auc ~ 0.8"),
      "E_FILTER",
      'unexpected character "~"',
      "position 13",
    );
    await expectSluiceError(() => parseFilter("metrics.auc > 'high'"), "E_FILTER", "is a number", "'high'");
    await expectSluiceError(() => parseFilter("params.kind = gbdt"), "E_FILTER", '"gbdt"', "position 15");
    await expectSluiceError(() => parseFilter("params.kind = 'gbdt"), "E_FILTER", "not closed");
    await expectSluiceError(
      () => parseFilter("metrcs.auc > 1"),
      "E_FILTER",
      '"metrcs"',
      'did you mean "metrics"',
    );
    await expectSluiceError(() => parseFilter("roc_auc > 1"), "E_FILTER", "<entity>.<key>");
    await expectSluiceError(() => parseFilter("attributes.stat = 'x'"), "E_FILTER", "unknown attribute");
    await expectSluiceError(
      () => parseFilter("attributes.status = 'done'"),
      "E_FILTER",
      "unknown status 'done'",
    );
    await expectSluiceError(
      () => parseFilter("metrics.a > 1 or metrics.b > 1"),
      "E_FILTER",
      '"or" is not supported',
    );
    await expectSluiceError(() => parseFilter("params.a in 'x'"), "E_FILTER", 'expected "("');
    await expectSluiceError(() => parseFilter("metrics.a > 1 metrics.b > 2"), "E_FILTER", 'expected "and"');
    await expectSluiceError(() => parseFilter("metrics.a is 1"), "E_FILTER", "expected null");
    await expectSluiceError(() => parseFilter("metrics. > 1"), "E_FILTER", "no key");
  });

  it("quotes exactly the bad token, never the text that follows it", async () => {
    const quoted = async (filter: string): Promise<string> =>
      /\("(.*)"\)/.exec((await expectSluiceError(() => parseFilter(filter), "E_FILTER")).message)?.[1] ?? "";
    expect(await quoted("metrics.roc_auc >> 0.8 and tags.`sluice.type` = 'pipeline'")).toBe(">");
    expect(await quoted("roc_auc > 0.8 and params.kind = 'gbdt'")).toBe("roc_auc");
    expect(await quoted("params.kind = gbdt and metrics.a > 1")).toBe("gbdt");
    expect(await quoted("metrics.auc > 'hi''gh' and metrics.b > 1")).toBe("'hi''gh'");
    expect(await quoted("metrcs.`my key` > 1 and metrics.b > 1")).toBe("metrcs.`my key`");
    expect(await quoted("metrics.a > 1 or metrics.b > 1")).toBe("or");
    expect(await quoted("metrics.a ~ 1")).toBe("~");
    expect(await quoted(`params.${"k".repeat(60)} ~ 'x'`)).toBe("~");
    expect(await quoted(`x${"y".repeat(60)} = 1`)).toBe(`x${"y".repeat(38)}…`);
  });

  it("lists the accepted forms in the hint", async () => {
    const err = await expectSluiceError(() => parseFilter("x"), "E_FILTER");
    expect(err.hint).toContain("metrics.roc_auc > 0.8 and params.kind = 'gbdt'");
  });
});

describe("parseOrderKey", () => {
  it("parses an entity key with an optional direction", () => {
    expect(parseOrderKey("metrics.roc_auc DESC")).toEqual({ entity: "metrics", key: "roc_auc", desc: true });
    expect(parseOrderKey("params.`my key` asc")).toEqual({ entity: "params", key: "my key", desc: false });
    expect(parseOrderKey("attributes.start_time")).toEqual({
      entity: "attributes",
      key: "start_time",
      desc: false,
    });
    expect(parseOrderKey("start_time desc")).toEqual({ entity: "attributes", key: "start_time", desc: true });
  });

  it("refuses an unknown direction or trailing text", async () => {
    await expectSluiceError(() => parseOrderKey("metrics.auc down"), "E_FILTER", '"down"', "ASC, DESC");
    await expectSluiceError(() => parseOrderKey("auc"), "E_FILTER", "metrics.roc_auc DESC");
  });
});
