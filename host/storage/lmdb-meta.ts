// A cheap check of an LMDB data file's meta pages before lmdb opens it. LMDB maps the file and trusts it: an empty
// data.mdb is silently made a new, empty environment, and a file shorter than its meta page says makes the first
// read past the end a SIGBUS (a segfault with garbage in the meta). Random bytes inside B-tree pages cannot be told
// from data without checksums; `lattice store verify` is the check for those.
//
// Layout (lmdb-js 3's liblmdb, 64-bit, checked against files this code writes): two meta pages at the start, page
// 0 and page 1 (page size = the meta's psize). Each page has a 24-byte header (pgno u64, txnid u64, pad u16, flags
// u16 with P_META = 0x08, lower/upper u16) and then MDB_meta: magic u32 (0xBEEFC0DE), version u32 (2), address
// u64, mapsize u64, dbs[2] (48 bytes each; dbs[0].pad u32 is the page size), last_pg u64, txnid u64. LMDB uses
// the meta with the larger txnid; every page up to its last_pg is in the file.

const PAGE_HEADER = 24;
const P_META = 0x08;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const META = { flags: 18, magic: PAGE_HEADER, version: PAGE_HEADER + 4, psize: PAGE_HEADER + 24, lastPage: PAGE_HEADER + 120, txnid: PAGE_HEADER + 128 };
/** Bytes of a meta page the check reads. */
export const META_READ_LEN = META.txnid + 8;

export interface LmdbMeta {
  pageSize: number;
  lastPage: number;
  txnid: bigint;
}

/** What is wrong with the file, or its newest meta. `readAt(offset)` returns META_READ_LEN bytes (or fewer at EOF). */
export function checkLmdbFile(fileSize: number, readAt: (offset: number) => Uint8Array): { problem: string } | { meta: LmdbMeta } {
  if (fileSize === 0) return { problem: 'is empty (LMDB writes its meta pages when it creates the file)' };
  const meta0 = parseMeta(readAt(0), 0);
  if ('problem' in meta0) return meta0;
  const pageSize = meta0.meta.pageSize;
  if (fileSize < 2 * pageSize) return { problem: `is ${fileSize} bytes, too short for LMDB's two meta pages of ${pageSize} bytes` };
  const meta1 = parseMeta(readAt(pageSize), 1);
  if ('problem' in meta1) return meta1;
  if (meta1.meta.pageSize !== pageSize) return { problem: `has meta pages that disagree on the page size (${pageSize} and ${meta1.meta.pageSize})` };
  const newest = meta1.meta.txnid > meta0.meta.txnid ? meta1.meta : meta0.meta;
  const need = (newest.lastPage + 1) * pageSize;
  if (newest.lastPage < 1 || !Number.isSafeInteger(need)) return { problem: `has a meta page naming page ${newest.lastPage} as its last` };
  if (fileSize < need) return { problem: `is truncated: ${fileSize} bytes, but its last page (${newest.lastPage}) ends at byte ${need}` };
  return { meta: newest };
}

function parseMeta(bytes: Uint8Array, page: number): { problem: string } | { meta: LmdbMeta } {
  if (bytes.length < META_READ_LEN) return { problem: `is too short to hold LMDB meta page ${page}` };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((dv.getUint16(META.flags, true) & P_META) === 0 || dv.getUint32(META.magic, true) !== MAGIC) {
    return { problem: `is not an LMDB file or its meta page ${page} is damaged (no LMDB magic number)` };
  }
  const version = dv.getUint32(META.version, true) & 0xffff;
  if (version !== DATA_VERSION) return { problem: `has LMDB data version ${version} in meta page ${page}, not ${DATA_VERSION}` };
  const pageSize = dv.getUint32(META.psize, true);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { problem: `has a damaged meta page ${page} (page size ${pageSize})` };
  return { meta: { pageSize, lastPage: Number(dv.getBigUint64(META.lastPage, true)), txnid: dv.getBigUint64(META.txnid, true) } };
}
