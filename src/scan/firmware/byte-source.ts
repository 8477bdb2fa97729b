// Where a reader's bytes come from: positioned reads, so an image of hundreds of MB is never read whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Up to `length` bytes at `position`; shorter only at the end of the source. */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

/** A file read with pread(2) through a file descriptor. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  private readonly ownsFd: boolean;

  constructor(fd: number, ownsFd = false) {
    this.fd = fd;
    this.ownsFd = ownsFd;
    this.size = fstatSync(fd).size;
  }

  static open(path: string): FileSource {
    const fd = openSync(path, 'r');
    try {
      return new FileSource(fd, true);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  read(position: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new Error('read from a closed source');
    const want = Math.max(0, Math.min(length, this.size - position));
    const buffer = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const n = readSync(this.fd, buffer, done, want - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === want ? buffer : buffer.subarray(0, done);
  }

  close(): void {
    if (this.fd !== undefined && this.ownsFd) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Bytes already in memory (tests, fuzzing, small carved images). */
export class BufferSource implements ByteSource {
  readonly size: number;
  private readonly data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
    this.size = data.length;
  }

  read(position: number, length: number): Uint8Array {
    if (position >= this.size || length <= 0) return new Uint8Array(0);
    return this.data.subarray(position, Math.min(this.size, position + length));
  }

  close(): void {}
}

/** A window of another source: a filesystem carved out of a flash dump at an offset. */
export class SliceSource implements ByteSource {
  readonly size: number;
  private readonly parent: ByteSource;
  private readonly offset: number;

  constructor(parent: ByteSource, offset: number, length: number) {
    this.parent = parent;
    this.offset = offset;
    this.size = Math.max(0, Math.min(length, parent.size - offset));
  }

  read(position: number, length: number): Uint8Array {
    if (position >= this.size || length <= 0) return new Uint8Array(0);
    return this.parent.read(this.offset + position, Math.min(length, this.size - position));
  }

  /** The parent is closed by whoever opened it. */
  close(): void {}
}
