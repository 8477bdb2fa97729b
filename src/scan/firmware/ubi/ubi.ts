// A UBI image (ubinize output, or a dump of a UBI-formatted NAND or NOR partition) read in process: the
// PEB size (given, or detected from where the EC headers repeat), every PEB's EC and VID headers, the volume
// table from the layout volume, and for each volume the map from its LEBs to PEBs. Each volume is then a
// ByteSource of its own (its LEBs laid end to end, unmapped LEBs read as erased flash), opened like any
// other image: UBIFS, squashfs, a kernel.
//
// When two PEBs claim the same LEB (a copy interrupted by power loss, wear levelling), the one with the
// higher sequence number wins, unless it was being copied (copy_flag) and its data CRC does not match, as
// the kernel decides. Static volumes' data CRCs are not otherwise checked; the fastmap, if any, is ignored
// (the headers of every PEB say the same thing).
//
// Hostile images: a PEB whose headers are corrupt is reported and left out (20 reported one by one, then
// counted); LEB numbers must be below the volume's reserved PEBs and the number of PEBs in the image, so a
// volume is never larger than the image could hold; the volume table's CRCs are checked (the second copy
// is used when the first is bad). The constructor throws ImageReadError when the first EC header, the PEB
// size or the volume table cannot be read.
import type { ByteSource } from '../byte-source.ts';
import { ImageReadError, type ReadProblem } from '../image-fs.ts';
import { crc32Raw } from '../jffs2/format.ts';
import {
  checkEcOffsets,
  detectPebSize,
  EC_HEADER_SIZE,
  isErased,
  LAYOUT_VOLUME_ID,
  MAX_VOLUMES,
  parseEcHeader,
  parseVidHeader,
  parseVolumeTable,
  VID_HEADER_SIZE,
  type VidHeader,
  VOLUME_TYPE,
  VTBL_AUTORESIZE,
  VTBL_RECORD_SIZE,
  type VtblRecord,
} from './format.ts';

export interface UbiOptions {
  /** The PEB size in bytes, when known; detected from the image otherwise. */
  pebSize?: number;
}

/** Where one LEB is: the PEB's start and the data offset in it. */
interface LebPlace {
  peb: number;
  dataOffset: number;
  vid: VidHeader;
}

export interface UbiVolume {
  id: number;
  name: string;
  type: 'dynamic' | 'static';
  /** Usable bytes per LEB (the LEB size less the volume's data padding). */
  lebSize: number;
  reservedPebs: number;
  /** LEBs with data in the image. */
  mappedLebs: number;
  /** Bytes: up to the last mapped LEB (dynamic), or the data the volume holds (static). */
  size: number;
  autoresize: boolean;
  /** The volume's bytes. */
  source(): ByteSource;
}

const MAX_REPORTED = 20;

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** A UBI volume's LEBs laid end to end. */
class VolumeSource implements ByteSource {
  readonly size: number;
  private readonly parent: ByteSource;
  private readonly pebSize: number;
  private readonly lebSize: number;
  private readonly lebs: ReadonlyMap<number, LebPlace>;

  constructor(parent: ByteSource, pebSize: number, lebSize: number, lebs: ReadonlyMap<number, LebPlace>, size: number) {
    this.parent = parent;
    this.pebSize = pebSize;
    this.lebSize = lebSize;
    this.lebs = lebs;
    this.size = size;
  }

  read(position: number, length: number): Uint8Array {
    const want = Math.max(0, Math.min(length, this.size - position));
    if (want === 0 || position < 0) return new Uint8Array(0);
    const firstLeb = Math.floor(position / this.lebSize);
    const offset = position - firstLeb * this.lebSize;
    // Within one mapped LEB: the parent's bytes as they are.
    if (offset + want <= this.lebSize) {
      const place = this.lebs.get(firstLeb);
      if (place) {
        const bytes = this.parent.read(place.peb * this.pebSize + place.dataOffset + offset, want);
        if (bytes.length === want) return bytes;
      }
    }
    const out = new Uint8Array(want).fill(0xff);
    for (let done = 0; done < want;) {
      const at = position + done;
      const leb = Math.floor(at / this.lebSize);
      const off = at - leb * this.lebSize;
      const n = Math.min(this.lebSize - off, want - done);
      const place = this.lebs.get(leb);
      if (place) out.set(this.parent.read(place.peb * this.pebSize + place.dataOffset + off, n), done);
      done += n;
    }
    return out;
  }

  /** The parent is closed by whoever opened it. */
  close(): void {}
}

export class UbiImage {
  readonly pebSize: number;
  /** LEB size before any volume's data padding (the PEB size less the first PEB's data offset). */
  readonly lebSize: number;
  readonly pebCount: number;
  readonly volumes: UbiVolume[] = [];
  readonly problems: ReadProblem[] = [];
  /** For people: "UBI (PEB 128 KiB, LEB 124 KiB, 16 PEBs): 2 volumes ...". */
  readonly description: string;

  private readonly source: ByteSource;
  private readonly lebs = new Map<number, Map<number, LebPlace>>();
  private reported = 0;

  constructor(source: ByteSource, options: UbiOptions = {}) {
    this.source = source;
    const read = (position: number, length: number): Uint8Array => source.read(position, length);
    const first = parseEcHeader(read(0, EC_HEADER_SIZE));
    if (!first) throw new ImageReadError('ubi: no valid erase counter header at the start');
    const pebSize = options.pebSize ?? detectPebSize(read, source.size);
    if (pebSize === undefined)
      throw new ImageReadError('ubi: the PEB size cannot be told (no second erase counter header at a power-of-two distance)');
    checkEcOffsets(first, pebSize, 'ubi: PEB 0');
    this.pebSize = pebSize;
    this.lebSize = pebSize - first.dataOffset;
    this.pebCount = Math.ceil(source.size / pebSize);
    if (source.size % pebSize !== 0)
      this.problems.push({ part: 'ubi', reason: `the image ends ${source.size % pebSize} bytes into PEB ${this.pebCount - 1}: truncated` });
    this.scanPebs(first.imageSeq);
    if (this.reported > MAX_REPORTED)
      this.problems.push({
        part: 'ubi',
        reason: `${this.reported - MAX_REPORTED} more PEBs with corrupt headers, not reported one by one`,
      });
    const table = this.volumeTable();
    for (const record of table) this.addVolume(record);
    for (const id of this.lebs.keys())
      if (id !== LAYOUT_VOLUME_ID && !table.some((r) => r.id === id))
        this.problems.push({ part: 'ubi', reason: `PEBs hold LEBs of volume ${id}, which the volume table does not list; not read` });
    const list = this.volumes.map(
      (v) => `"${v.name}" (${v.type}, ${v.type === 'static' ? `${v.size} bytes` : `${v.mappedLebs} LEBs used`})`,
    );
    this.description = `UBI (PEB ${kib(pebSize)}, LEB ${kib(this.lebSize)}, ${this.pebCount} PEBs): ${this.volumes.length} volume${this.volumes.length === 1 ? '' : 's'}${list.length ? `: ${list.join(', ')}` : ''}`;
  }

  private report(peb: number, reason: string): void {
    if (++this.reported <= MAX_REPORTED) this.problems.push({ part: `ubi PEB ${peb}`, reason });
  }

  private scanPebs(imageSeq: number): void {
    for (let peb = 0; peb < this.pebCount; peb++) {
      const start = peb * this.pebSize;
      const ecBytes = this.source.read(start, EC_HEADER_SIZE);
      if (isErased(ecBytes)) continue;
      const ec = parseEcHeader(ecBytes);
      if (!ec) {
        this.report(peb, 'erase counter header has a bad magic or CRC; PEB skipped');
        continue;
      }
      if (ec.imageSeq !== imageSeq && imageSeq !== 0 && ec.imageSeq !== 0) {
        this.report(peb, `image sequence number ${ec.imageSeq} differs from PEB 0's ${imageSeq}: a PEB of another UBI image; skipped`);
        continue;
      }
      try {
        checkEcOffsets(ec, this.pebSize, `PEB ${peb}`);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        this.report(peb, error.message);
        continue;
      }
      const vidBytes = this.source.read(start + ec.vidHeaderOffset, VID_HEADER_SIZE);
      if (isErased(vidBytes)) continue; // a free PEB
      const vid = parseVidHeader(vidBytes);
      if (!vid) {
        this.report(peb, 'volume identifier header has a bad magic or CRC; PEB skipped');
        continue;
      }
      if (vid.lnum >= this.pebCount && vid.volId !== LAYOUT_VOLUME_ID) {
        this.report(peb, `claims LEB ${vid.lnum} of volume ${vid.volId}, beyond the ${this.pebCount} PEBs of the image; skipped`);
        continue;
      }
      let map = this.lebs.get(vid.volId);
      if (!map) this.lebs.set(vid.volId, (map = new Map()));
      const place: LebPlace = { peb, dataOffset: ec.dataOffset, vid };
      const other = map.get(vid.lnum);
      map.set(vid.lnum, other ? this.newer(other, place) : place);
    }
  }

  /** Of two PEBs holding the same LEB, the one UBI would use. */
  private newer(a: LebPlace, b: LebPlace): LebPlace {
    const [newer, older] = b.vid.sqnum >= a.vid.sqnum ? [b, a] : [a, b];
    if (newer.vid.copyFlag && newer.vid.dataSize > 0) {
      const data = this.source.read(newer.peb * this.pebSize + newer.dataOffset, newer.vid.dataSize);
      if (data.length !== newer.vid.dataSize || crc32Raw(data, 0xffffffff) !== newer.vid.dataCrc) return older;
    }
    return newer;
  }

  private volumeTable(): VtblRecord[] {
    const layout = this.lebs.get(LAYOUT_VOLUME_ID);
    const bytes = Math.min(MAX_VOLUMES, Math.floor(this.lebSize / VTBL_RECORD_SIZE)) * VTBL_RECORD_SIZE;
    for (const lnum of [0, 1]) {
      const place = layout?.get(lnum);
      if (!place) continue;
      const table = parseVolumeTable(this.source.read(place.peb * this.pebSize + place.dataOffset, bytes));
      if (table) {
        if (lnum === 1) this.problems.push({ part: 'ubi', reason: 'the first copy of the volume table is corrupt; the second is used' });
        return table;
      }
    }
    throw new ImageReadError(
      layout ? 'ubi: both copies of the volume table are corrupt' : 'ubi: no layout volume (no volume table) in the image',
    );
  }

  private addVolume(record: VtblRecord): void {
    const part = `ubi volume ${record.id} "${record.name}"`;
    const lebSize = this.lebSize - record.dataPad;
    if (lebSize <= 0) {
      this.problems.push({
        part,
        reason: `data padding of ${record.dataPad} bytes leaves nothing of a ${this.lebSize}-byte LEB; not read`,
      });
      return;
    }
    if (record.volType !== VOLUME_TYPE.dynamic && record.volType !== VOLUME_TYPE.static) {
      this.problems.push({ part, reason: `unknown volume type ${record.volType}; not read` });
      return;
    }
    if (record.updMarker) this.problems.push({ part, reason: 'an update of this volume was interrupted: its contents may be corrupt' });
    const all = this.lebs.get(record.id) ?? new Map<number, LebPlace>();
    const lebs = new Map<number, LebPlace>();
    let beyond = 0;
    for (const [lnum, place] of all) {
      if (lnum >= record.reservedPebs) beyond++;
      else lebs.set(lnum, place);
    }
    if (beyond)
      this.problems.push({ part, reason: `${beyond} LEBs numbered past the volume's ${record.reservedPebs} reserved PEBs; ignored` });
    const type = record.volType === VOLUME_TYPE.static ? 'static' : 'dynamic';
    let size = 0;
    if (type === 'dynamic') {
      for (const lnum of lebs.keys()) size = Math.max(size, (lnum + 1) * lebSize);
    } else {
      size = this.staticSize(lebs, lebSize, part, record.reservedPebs);
    }
    const parent = this.source;
    const pebSize = this.pebSize;
    this.volumes.push({
      id: record.id,
      name: record.name,
      type,
      lebSize,
      reservedPebs: record.reservedPebs,
      mappedLebs: lebs.size,
      size,
      autoresize: (record.flags & VTBL_AUTORESIZE) !== 0,
      source: () => new VolumeSource(parent, pebSize, lebSize, lebs, size),
    });
  }

  /** A static volume's data size, from its VID headers (used_ebs, and the last LEB's data_size). */
  private staticSize(lebs: Map<number, LebPlace>, lebSize: number, part: string, reserved: number): number {
    const any = lebs.values().next().value;
    if (!any) return 0;
    const usedEbs = any.vid.usedEbs;
    if (usedEbs === 0) return 0;
    if (usedEbs > reserved || usedEbs > this.pebCount) {
      this.problems.push({ part, reason: `claims ${usedEbs} used LEBs, more than it has; not read` });
      return 0;
    }
    const missing: number[] = [];
    for (let l = 0; l < usedEbs; l++) if (!lebs.has(l)) missing.push(l);
    if (missing.length)
      this.problems.push({
        part,
        reason: `LEBs ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} are missing; read as erased flash`,
      });
    const last = lebs.get(usedEbs - 1);
    const lastSize = last ? Math.min(last.vid.dataSize, lebSize) : lebSize;
    return (usedEbs - 1) * lebSize + lastSize;
  }
}
