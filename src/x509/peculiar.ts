import { webcrypto } from "node:crypto";
import type * as PX from "@peculiar/x509";

type Peculiar = typeof PX;

// Loaded on first use: most commands never make a certificate or CSR, and loading @peculiar/x509 (with
// reflect-metadata and its ASN.1 schemas) costs about 0.2 s of every process that does.
let loaded: Promise<Peculiar> | undefined;

export function peculiar(): Promise<Peculiar> {
  loaded ??= import("reflect-metadata").then(async () => {
    const px = (await import("@peculiar/x509")) as unknown as Peculiar;
    px.cryptoProvider.set(webcrypto as unknown as Parameters<typeof px.cryptoProvider.set>[0]);
    return px;
  });
  return loaded;
}
