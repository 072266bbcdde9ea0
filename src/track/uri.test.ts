import { describe, expect, it } from "vitest";
import { expectSluiceError } from "./store.contract.js";
import { formatModelUri, parseModelUri } from "./uri.js";

describe("parseModelUri", () => {
  it("returns null for anything that is not a models:/ URI", () => {
    expect(parseModelUri("model.json")).toBeNull();
    expect(parseModelUri("/tmp/models:/x/1")).toBeNull();
    expect(parseModelUri("file:///m.json")).toBeNull();
  });

  it("parses a version, an alias and a stage", () => {
    expect(parseModelUri("models:/churn/3")).toEqual({ kind: "version", name: "churn", version: 3 });
    expect(parseModelUri("models:/churn@champion")).toEqual({
      kind: "alias",
      name: "churn",
      alias: "champion",
    });
    expect(parseModelUri("models:/churn@production")).toEqual({
      kind: "stage",
      name: "churn",
      stage: "production",
    });
    expect(parseModelUri("models:/churn.v2@staging")).toEqual({
      kind: "stage",
      name: "churn.v2",
      stage: "staging",
    });
    expect(parseModelUri("models:/churn/Production")).toEqual({
      kind: "stage",
      name: "churn",
      stage: "production",
    });
  });

  it("round-trips through formatModelUri", () => {
    for (const uri of ["models:/a/12", "models:/a@champ-1", "models:/a@archived"])
      expect(formatModelUri(parseModelUri(uri)!)).toBe(uri);
  });

  it("refuses malformed models:/ URIs with the accepted forms", async () => {
    for (const bad of [
      "models:/",
      "models:/churn",
      "models:/churn/0",
      "models:/churn/x1",
      "models:/churn@Champ!",
      "models:/a/1/2",
    ])
      await expectSluiceError(
        () => parseModelUri(bad),
        "E_USAGE",
        bad,
        "models:/NAME/VERSION",
        "models:/NAME@ALIAS",
      );
  });
});
