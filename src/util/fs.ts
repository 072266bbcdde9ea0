/**
 * Atomic file writes: write to a temporary file beside the target, fsync, rename.
 * A crash leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { SluiceError } from "../errors.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** E_WRITE for a failed write of `path`, saying why in words. */
export function writeError(path: string, cause: unknown): SluiceError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "ENOSPC"
        ? "no space left on the device"
        : code === "EROFS"
          ? "the file system is read-only"
          : code === "ENOTDIR" || code === "EEXIST"
            ? "a file is in the way of a folder on that path"
            : String((cause as Error | undefined)?.message ?? cause);
  return new SluiceError("E_WRITE", `cannot write ${path}: ${why}`, {
    cause,
    details: { path, errno: code },
    hint: "check that the folder exists and is writable, or choose another output path",
  });
}

/** Write `data` to `path` atomically (synchronous). Creates the parent folder. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The temporary file could not be made either: nothing to clean up.
    }
    throw writeError(path, err);
  }
}

/** Write `data` to `path` atomically. Creates the parent folder. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(typeof data === "string" ? Buffer.from(data, "utf8") : data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(path, err);
  }
}

/**
 * A temporary file beside `path` that becomes `path` on {@link commit} (fsync, then rename) or
 * disappears on {@link abort}: the one place streaming writers keep their file.
 */
export class AtomicFile {
  readonly path: string;
  private readonly tmp: string;
  private fd: number | undefined;

  /** @throws SluiceError E_WRITE when the folder or the temporary file cannot be made */
  constructor(path: string) {
    this.path = path;
    this.tmp = tempPathFor(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmp, "w");
    } catch (err) {
      throw writeError(path, err);
    }
  }

  /** Append `data` (text as UTF-8, or `length` bytes of `data` from `offset`). On failure the file is removed. */
  write(data: string | Uint8Array, offset = 0, length?: number): void {
    if (this.fd === undefined)
      throw new SluiceError("E_INTERNAL", `write to ${this.path} after it was closed`);
    try {
      if (typeof data === "string") writeSync(this.fd, data);
      else {
        const end = offset + (length ?? data.length - offset);
        let at = offset;
        while (at < end) at += writeSync(this.fd, data, at, end - at);
      }
    } catch (err) {
      this.abort();
      throw writeError(this.path, err);
    }
  }

  /** fsync and move the file into place. */
  commit(): void {
    const fd = this.fd;
    if (fd === undefined) throw new SluiceError("E_INTERNAL", `commit of ${this.path} after it was closed`);
    this.fd = undefined;
    try {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.tmp, this.path);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw writeError(this.path, err);
    }
  }

  /** Throw away everything written; the target is left untouched. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
    rmSync(this.tmp, { force: true });
  }
}

/**
 * A streaming atomic writer: chunks go to a temporary file; `commit()` fsyncs and renames it
 * into place, `abort()` removes it. For outputs too large to hold in memory (quarantine files,
 * scored CSVs, generated examples).
 */
export class AtomicFileWriter {
  readonly path: string;
  private readonly file: AtomicFile;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(path: string) {
    this.path = path;
    this.file = new AtomicFile(path);
  }

  /** Append text; flushed in blocks of about 1 MB. */
  write(text: string): void {
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.file.write(this.buffer.join(""));
    this.buffer = [];
    this.buffered = 0;
  }

  /** Flush, fsync and move the file into place. */
  commit(): void {
    this.flush();
    this.file.commit();
  }

  /** Throw away everything written; the target is left untouched. */
  abort(): void {
    this.file.abort();
  }
}
