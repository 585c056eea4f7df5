/**
 * ARM's deterministic name functions, bit-for-bit:
 * - `guid(a, b, …)` is an RFC 4122 name-based UUID, version 5 (SHA-1), in the namespace
 *   `11fb06fb-712d-4ddd-98c7-e71bbd588830`, over the UTF-8 bytes of the arguments joined with `-`.
 * - `uniqueString(a, b, …)` is a 64-bit Murmur-style hash (two 32-bit lanes, seed 0) of the UTF-8 bytes of the
 *   arguments joined with `-`, written as the first 13 base32 characters (`a–z2–7`) of its 64 bits, high bits first.
 * docs/templates.md lists the vectors the unit tests check, including one ARM itself produced.
 */
import { createHash } from "node:crypto";

const ARM_GUID_NAMESPACE = Buffer.from("11fb06fb712d4ddd98c7e71bbd588830", "hex");

export function armGuid(values: readonly string[]): string {
  const hash = createHash("sha1")
    .update(ARM_GUID_NAMESPACE)
    .update(Buffer.from(values.join("-"), "utf8"))
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const K1 = 597399067;
const K2 = 2869860233;
const FMIX1 = 2246822507;
const FMIX2 = 3266489909;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}
function mul(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}
function fmix(h: number): number {
  let x = h;
  x = mul(x ^ (x >>> 16), FMIX1);
  x = mul(x ^ (x >>> 13), FMIX2);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The 64-bit hash as [high, low] 32-bit halves. */
function murmurHash64(data: Uint8Array): [number, number] {
  const length = data.length;
  let h1 = 0;
  let h2 = 0;
  const word = (at: number, count: number): number => {
    let w = 0;
    for (let b = count - 1; b >= 0; b--) w = ((w << 8) | data[at + b]!) >>> 0;
    return w;
  };
  let i = 0;
  for (; i + 7 < length; i += 8) {
    let k1 = word(i, 4);
    let k2 = word(i + 4, 4);
    k1 = mul(rotl(mul(k1, K1), 15), K2);
    h1 = (h1 ^ k1) >>> 0;
    h1 = (rotl(h1, 19) + h2) >>> 0;
    h1 = (mul(h1, 5) + 1444728091) >>> 0;
    k2 = mul(rotl(mul(k2, K2), 17), K1);
    h2 = (h2 ^ k2) >>> 0;
    h2 = (rotl(h2, 13) + h1) >>> 0;
    h2 = (mul(h2, 5) + 197830471) >>> 0;
  }
  const tail = length - i;
  if (tail > 0) {
    const k1 = mul(rotl(mul(word(i, Math.min(tail, 4)), K1), 15), K2);
    h1 = (h1 ^ k1) >>> 0;
    if (tail > 4) {
      const k2 = mul(rotl(mul(word(i + 4, tail - 4), K2), 17), K1);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ length) >>> 0;
  h2 = (h2 ^ length) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return [h2, h1];
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export function uniqueString(values: readonly string[]): string {
  const [high, low] = murmurHash64(Buffer.from(values.join("-"), "utf8"));
  let bits = (BigInt(high) << 32n) | BigInt(low);
  let out = "";
  for (let n = 0; n < 13; n++) {
    out += BASE32[Number(bits >> 59n)];
    bits = (bits << 5n) & 0xffffffffffffffffn;
  }
  return out;
}
