// Checks a drand quicknet round in the member's browser, independently of
// the server (docs/draw.md, "The beacon"): the round's BLS signature against
// quicknet's public key, pinned here, and its randomness against the
// signature. SHA-256 is the browser's own (Web Crypto, which needs a secure
// context: https, or http on localhost); the pairing is noble-curves'
// (static/vendor/noble-curves), an implementation independent of the
// server's arkworks.
//
//   import { verifyQuicknetRound } from "/static/js/beacon_verify.js";
//   await verifyQuicknetRound({ round: 123, randomness: "fb8f…", signature: "b75c…" });
//   // → true, or false for anything that is not quicknet's round
//
// A classic script can reach it as window.MoimBeacon.verifyQuicknetRound once
// this module has run.

import { bls12_381 } from "../vendor/noble-curves/bls12-381.js";

export const QUICKNET = Object.freeze({
  hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
  publicKey:
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c" +
    "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb" +
    "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
  genesisTime: 1692803367,
  period: 3,
  scheme: "bls-unchained-g1-rfc9380",
});

// RFC 9380's hash-to-G1 suite with the tag of BLS signatures without proof
// of possession, which quicknet signs with.
const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
const MAX_ROUND = 2n ** 64n - 1n;

function bytesFromHex(hex, length) {
  if (typeof hex !== "string" || hex.length !== 2 * length) return null;
  if (!/^[0-9a-f]*$/.test(hex)) return null;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

function roundNumber(round) {
  let value;
  if (typeof round === "bigint") value = round;
  else if (typeof round === "number" && Number.isSafeInteger(round)) value = BigInt(round);
  else if (typeof round === "string" && /^[0-9]{1,20}$/.test(round)) value = BigInt(round);
  else return null;
  return value >= 1n && value <= MAX_ROUND ? value : null;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** The message quicknet signs for a round: SHA-256 of the round as 8 bytes
 * big-endian. */
export async function quicknetMessage(round) {
  const number = roundNumber(round);
  if (number === null) throw new RangeError("not a quicknet round");
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, number, false);
  return sha256(bytes);
}

/**
 * Whether {round, randomness, signature} (hex as drand and the draw record
 * write them, lowercase) is quicknet's round: randomness = SHA-256(signature)
 * and a signature that verifies against quicknet's public key.
 * Resolves to false, never throws, for anything else.
 */
export async function verifyQuicknetRound({ round, randomness, signature } = {}) {
  try {
    const number = roundNumber(round);
    const signatureBytes = bytesFromHex(signature, 48);
    const randomnessBytes = bytesFromHex(randomness, 32);
    if (number === null || signatureBytes === null || randomnessBytes === null) {
      return false;
    }
    if (!equal(await sha256(signatureBytes), randomnessBytes)) return false;
    const bls = bls12_381.shortSignatures;
    const hashed = bls.hash(await quicknetMessage(number), DST);
    return bls.verify(signatureBytes, hashed, bytesFromHex(QUICKNET.publicKey, 96));
  } catch {
    // A signature that is no point of G1 makes the decoding throw.
    return false;
  }
}

globalThis.MoimBeacon = Object.freeze({ QUICKNET, quicknetMessage, verifyQuicknetRound });
