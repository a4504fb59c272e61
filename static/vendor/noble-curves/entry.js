// The one export static/js/beacon_verify.js needs from noble-curves.
export { bls12_381 } from "@noble/curves/bls12-381.js";
