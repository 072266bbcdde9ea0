import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalArtifactStore, openArtifactStore } from "./artifacts.js";
import { expectSluiceError } from "./store.contract.js";

const root = mkdtempSync(join(tmpdir(), "sluice-artifacts-"));
afterAll(() => {
  chmodSync(root, 0o755);
  rmSync(root, { recursive: true, force: true });
});

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

describe("LocalArtifactStore", () => {
  it("writes under <root>/<runId>/<path> and records size and sha256", async () => {
    const store = new LocalArtifactStore(join(root, "a"));
    const record = await store.put("run1", "report/eval.html", "<h1>hi</h1>");
    const file = join(root, "a", "run1", "report", "eval.html");
    expect(record).toEqual({
      path: "report/eval.html",
      uri: pathToFileURL(file).href,
      bytes: 11,
      sha256: sha("<h1>hi</h1>"),
    });
    expect(store.root).toBe(pathToFileURL(join(root, "a")).href);
    expect((await store.read(record.uri)).toString()).toBe("<h1>hi</h1>");
    expect(await store.localPath(record.uri)).toBe(file);
    // no temporary file left behind
    expect(readdirSync(join(root, "a", "run1", "report"))).toEqual(["eval.html"]);
  });

  it("copies a file in with its size and checksum", async () => {
    const store = new LocalArtifactStore(join(root, "b"));
    const source = join(root, "source.bin");
    const data = Buffer.alloc(300_000, 7);
    writeFileSync(source, data);
    const record = await store.putFile("run2", "model.json", source);
    expect(record).toMatchObject({ path: "model.json", bytes: 300_000, sha256: sha(data) });
    expect((await store.read(record.uri)).equals(data)).toBe(true);
    await expectSluiceError(
      store.putFile("run2", "x", join(root, "missing.bin")),
      "E_ARTIFACT",
      "does not exist",
    );
  });

  it("refuses paths that escape the run's folder", async () => {
    const store = new LocalArtifactStore(join(root, "c"));
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "", "a//b", "./a"])
      await expectSluiceError(store.put("run", bad, "x"), "E_USAGE", "relative");
    await expectSluiceError(store.put("../run", "x", "x"), "E_USAGE", "run id");
  });

  it("reports a folder that cannot be created as E_ARTIFACT naming it", async () => {
    writeFileSync(join(root, "blocker"), "a file, not a folder");
    const store = new LocalArtifactStore(join(root, "blocker"));
    await expectSluiceError(store.put("run", "x.txt", "x"), "E_ARTIFACT", join(root, "blocker"));
  });

  // root writes through any permission bits, so as root this case cannot fail: skipped there.
  it.skipIf(process.getuid?.() === 0)(
    "reports a folder without write permission as E_ARTIFACT with the fix",
    async () => {
      const dir = join(root, "locked");
      mkdirSync(join(dir, "run"), { recursive: true });
      chmodSync(join(dir, "run"), 0o500);
      const store = new LocalArtifactStore(dir);
      await expectSluiceError(
        store.put("run", "x.txt", "x"),
        "E_ARTIFACT",
        "no permission",
        join(dir, "run"),
        "writable",
      );
    },
  );

  it("reports an artifact that is gone as E_ARTIFACT", async () => {
    const store = new LocalArtifactStore(join(root, "d"));
    await expectSluiceError(store.read(pathToFileURL(join(root, "d", "nope")).href), "E_ARTIFACT", "nope");
  });
});

describe("openArtifactStore", () => {
  it("defaults to <projectDir>/.sluice/artifacts and takes paths and file URLs", async () => {
    expect((await openArtifactStore(undefined, { projectDir: root })).root).toBe(
      pathToFileURL(join(root, ".sluice", "artifacts")).href,
    );
    expect((await openArtifactStore("arts", { projectDir: root })).root).toBe(
      pathToFileURL(join(root, "arts")).href,
    );
    expect((await openArtifactStore(pathToFileURL(join(root, "u")).href)).root).toBe(
      pathToFileURL(join(root, "u")).href,
    );
  });

  it("refuses s3:// as not supported yet", async () => {
    await expectSluiceError(openArtifactStore("s3://bucket/x"), "E_USAGE", "not supported yet");
    await expectSluiceError(openArtifactStore("gs://bucket/x"), "E_USAGE", "gs://bucket/x");
  });
});
