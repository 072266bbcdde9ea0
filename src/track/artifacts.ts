/**
 * Artifact stores: where a run's files live. The local store keeps them at
 * `<root>/<runId>/<path>`, each written atomically (temporary file, fsync, rename) with its size
 * and SHA-256 recorded.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, posix, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SluiceError, isSluiceError } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";
import type { ArtifactRecord, ArtifactStore } from "./types.js";
import { checkRunId } from "./validate.js";

function artifactError(what: string, path: string, cause: unknown): SluiceError {
  const errno = (
    isSluiceError(cause)
      ? (cause.cause as NodeJS.ErrnoException | undefined)
      : (cause as NodeJS.ErrnoException | undefined)
  )?.code;
  const folder = dirname(path);
  const why =
    errno === "EACCES" || errno === "EPERM"
      ? `no permission to write in ${folder}`
      : errno === "ENOSPC"
        ? "no space left on the device"
        : errno === "ENOTDIR" || errno === "EEXIST"
          ? `a file is in the way of the folder ${folder}`
          : errno === "EROFS"
            ? "the file system is read-only"
            : ((cause as Error | undefined)?.message ?? String(cause));
  return new SluiceError("E_ARTIFACT", `cannot ${what} ${path}: ${why}`, {
    cause,
    details: { path, folder, errno },
    hint: `make ${folder} writable (or point the artifact store elsewhere) and run again`,
  });
}

/** A relative artifact path in `/` form; `..`, absolute paths and empty segments are refused. */
export function checkArtifactPath(path: string): string {
  const norm = typeof path === "string" ? path.replace(/\\/g, "/") : "";
  const segments = norm.split("/");
  if (
    norm === "" ||
    isAbsolute(path) ||
    norm.startsWith("/") ||
    /^[A-Za-z]:/.test(norm) ||
    segments.some((s) => s === ".." || s === "" || s === ".") ||
    norm.includes("\0")
  )
    throw new SluiceError(
      "E_USAGE",
      `artifact path "${String(path)}" must be relative and stay inside the run's folder`,
      {
        details: { path },
        hint: "use a path such as model.json or report/evaluation.html (no .., no leading /)",
      },
    );
  return posix.normalize(norm);
}

/** A folder of artifacts on the local file system. */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;
  private readonly dir: string;

  constructor(rootDir: string) {
    this.dir = resolve(rootDir);
    this.root = pathToFileURL(this.dir).href;
  }

  private target(runId: string, path: string): { rel: string; file: string } {
    checkRunId(runId);
    const rel = checkArtifactPath(path);
    return { rel, file: join(this.dir, runId, ...rel.split("/")) };
  }

  async put(runId: string, path: string, data: string | Uint8Array): Promise<ArtifactRecord> {
    const { rel, file } = this.target(runId, path);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    try {
      await writeFileAtomic(file, bytes);
    } catch (err) {
      throw artifactError("write the artifact", file, err);
    }
    return {
      path: rel,
      uri: pathToFileURL(file).href,
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  }

  async putFile(runId: string, path: string, source: string): Promise<ArtifactRecord> {
    const { rel, file } = this.target(runId, path);
    const tmp = join(
      dirname(file),
      `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    const hash = createHash("sha256");
    let bytes = 0;
    try {
      await mkdir(dirname(file), { recursive: true });
      const out = await open(tmp, "w");
      try {
        for await (const chunk of createReadStream(source)) {
          const buf = chunk as Buffer;
          hash.update(buf);
          bytes += buf.length;
          await out.write(buf);
        }
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && (err as NodeJS.ErrnoException).path === source)
        throw new SluiceError(
          "E_ARTIFACT",
          `cannot copy ${source} into the artifact store: the file does not exist`,
          {
            cause: err,
            details: { source },
            hint: "check the path of the file to record",
          },
        );
      throw artifactError("write the artifact", file, err);
    }
    return { path: rel, uri: pathToFileURL(file).href, bytes, sha256: hash.digest("hex") };
  }

  async localPath(uri: string): Promise<string> {
    if (uri.startsWith("file:")) return Promise.resolve(fileURLToPath(uri));
    if (uri.includes("://"))
      throw new SluiceError("E_ARTIFACT", `the local artifact store cannot read ${uri}`, {
        details: { uri },
        hint: "a local artifact URI starts with file://",
      });
    return Promise.resolve(resolve(uri));
  }

  async read(uri: string): Promise<Buffer> {
    const path = await this.localPath(uri);
    try {
      return await readFile(path);
    } catch (err) {
      throw new SluiceError("E_ARTIFACT", `cannot read the artifact ${path}: ${(err as Error).message}`, {
        cause: err,
        details: { uri, path },
        hint: "the artifact store's folder may have been moved or cleaned; check the path",
      });
    }
  }
}

/**
 * Open an artifact store: a local folder (`file:///…` or a path, relative to `projectDir`), by
 * default `<projectDir>/.sluice/artifacts`.
 *
 * @throws SluiceError E_USAGE for `s3://` (not supported yet) and other schemes
 */
export async function openArtifactStore(
  uri?: string,
  options: { projectDir?: string } = {},
): Promise<ArtifactStore> {
  const projectDir = resolve(options.projectDir ?? ".");
  if (uri === undefined || uri.trim() === "")
    return new LocalArtifactStore(join(projectDir, ".sluice", "artifacts"));
  if (uri.startsWith("file:")) return new LocalArtifactStore(fileURLToPath(uri));
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (scheme !== null)
    throw new SluiceError(
      "E_USAGE",
      scheme[1]!.toLowerCase() === "s3"
        ? `S3 artifact stores (${uri}) are not supported yet`
        : `unsupported artifact store URI ${uri}`,
      { details: { uri }, hint: "use a local folder (a path or file:///…)" },
    );
  return Promise.resolve(new LocalArtifactStore(resolve(projectDir, uri)));
}
