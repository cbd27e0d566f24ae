import type { BadInput } from "../case.js";

// The classes of the "Decoders" section (unknown key algorithms, invalid times, odd PEM labels, deep
// BER, …) go here, one case per class, written like those of certificate-files.ts: a `files(m)` that makes
// the input from the generated material and the error `validate` must give. Material they need beyond
// material.ts (a GOST-keyed certificate, a 20,000-level BER blob) is built in the case itself.
export const decoderCases: BadInput[] = [];
