/**
 * RC2-CBC decryption (RFC 2268). OpenSSL 3 moved RC2 to its legacy provider, which node does not
 * load, yet PKCS#12 files from Windows, Java and `openssl pkcs12 -legacy` encrypt their
 * certificates with RC2-40. Only decryption is needed, and only for reading such files.
 */

// RFC 2268 section 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = Buffer.from(
  "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2" +
  "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82" +
  "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626" +
  "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7" +
  "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec" +
  "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731" +
  "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9" +
  "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad",
  "hex",
);

export function rc2ExpandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const L = new Uint8Array(128);
  L.set(key.subarray(0, 128));
  const T = Math.min(key.length, 128);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
  const T8 = Math.ceil(effectiveBits / 8);
  const TM = 0xff >> (8 * T8 - effectiveBits);
  L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i]! | (L[2 * i + 1]! << 8);
  return K;
}

const ror = (x: number, s: number): number => ((x >>> s) | (x << (16 - s))) & 0xffff;
const SHIFTS = [1, 2, 3, 5];

export function rc2DecryptBlock(K: Uint16Array, block: Buffer): Buffer {
  const R = [block.readUInt16LE(0), block.readUInt16LE(2), block.readUInt16LE(4), block.readUInt16LE(6)];
  let j = 63;
  const rmix = (): void => {
    for (let i = 3; i >= 0; i--) {
      const a = R[(i + 3) % 4]!;
      R[i] = (ror(R[i]!, SHIFTS[i]!) - K[j]! - (a & R[(i + 2) % 4]!) - (~a & R[(i + 1) % 4]!)) & 0xffff;
      j--;
    }
  };
  const rmash = (): void => {
    for (let i = 3; i >= 0; i--) R[i] = (R[i]! - K[R[(i + 3) % 4]! & 63]!) & 0xffff;
  };
  for (let r = 0; r < 5; r++) rmix();
  rmash();
  for (let r = 0; r < 6; r++) rmix();
  rmash();
  for (let r = 0; r < 5; r++) rmix();
  const out = Buffer.alloc(8);
  R.forEach((w, i) => out.writeUInt16LE(w, 2 * i));
  return out;
}

/** RC2-CBC with PKCS#7 padding; throws on a padding error (what a wrong key usually gives). */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 8 !== 0) throw new Error("RC2 ciphertext is not a whole number of blocks");
  const K = rc2ExpandKey(key, effectiveBits);
  const out = Buffer.alloc(data.length);
  let prev = iv;
  for (let off = 0; off < data.length; off += 8) {
    const c = data.subarray(off, off + 8);
    const p = rc2DecryptBlock(K, c);
    for (let i = 0; i < 8; i++) out[off + i] = p[i]! ^ prev[i]!;
    prev = c;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8) throw new Error("bad decrypt");
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) throw new Error("bad decrypt");
  return out.subarray(0, out.length - pad);
}
