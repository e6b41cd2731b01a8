// 256-bit little-endian modular sums: the state hash accumulator (DESIGN §3) and Negentropy fingerprints
// both add and subtract 32-byte terms mod 2^256. In place, on 32-byte arrays, no allocation.

/** acc = (acc + term) mod 2^256, both read as 256-bit little-endian integers. */
export function addMod256(acc: Uint8Array, term: Uint8Array): void {
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const s = acc[i]! + term[i]! + carry;
    acc[i] = s & 0xff;
    carry = s >>> 8;
  }
}

/** acc = (acc - term) mod 2^256. */
export function subMod256(acc: Uint8Array, term: Uint8Array): void {
  let borrow = 0;
  for (let i = 0; i < 32; i++) {
    let d = acc[i]! - term[i]! - borrow;
    if (d < 0) {
      d += 256;
      borrow = 1;
    } else borrow = 0;
    acc[i] = d;
  }
}
