/**
 * Every handshake gets exactly the certificate SNI selects, whatever the key types of the selected and the
 * default certificate: Node's SNI switch adds a certificate beside the server context's own, and a TLS 1.3
 * client that prefers ECDSA would otherwise get an EC default instead of the RSA certificate of its host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyType } from "../../x509/generate.js";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { handshake, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";

const VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;

interface Mix {
  title: string;
  host: KeyType;
  fallback: KeyType | undefined;
}

const MIXES: Mix[] = [
  { title: "EC default, RSA host", host: "rsa-2048", fallback: "ec-p256" },
  { title: "RSA default, EC host", host: "ec-p256", fallback: "rsa-2048" },
  { title: "EC P-384 default, EC P-256 host", host: "ec-p256", fallback: "ec-p384" },
  { title: "RSA default, RSA host", host: "rsa-2048", fallback: "rsa-3072" },
  { title: "no default, RSA host", host: "rsa-2048", fallback: undefined },
  { title: "no default, EC host", host: "ec-p256", fallback: undefined },
];

const fp = (c: Issued) => c.certificate.fingerprint256;

describe.each(MIXES)("$title", ({ host, fallback }) => {
  let gw: Running;
  let hostCert: Issued;
  let wildcardCert: Issued;
  let defaultCert: Issued | undefined;

  beforeAll(async () => {
    const ca = await makeCa();
    [hostCert, wildcardCert, defaultCert] = await Promise.all([
      issue({ issuer: ca, hosts: ["checkout.example.com"], keyType: host }),
      issue({ issuer: ca, hosts: ["*.apps.example.com"], keyType: host }),
      fallback ? issue({ issuer: ca, hosts: ["www.example.com"], keyType: fallback }) : Promise.resolve(undefined),
    ]);
    const certificates = [storedCert("checkout", hostCert, { hosts: ["checkout.example.com"] }), storedCert("apps", wildcardCert, { hosts: ["*.apps.example.com"] })];
    if (defaultCert) certificates.push(storedCert("default", defaultCert, { hosts: ["www.example.com"], default: true }));
    gw = await startPlane(state({ certificates }));
  });
  afterAll(() => gw?.close());

  it.each(VERSIONS)("serves the host's certificate to %s clients asking for it by name", async (version) => {
    expect(await handshake(gw.port, "checkout.example.com", { minVersion: version, maxVersion: version })).toBe(fp(hostCert));
    expect(await handshake(gw.port, "shop.apps.example.com", { minVersion: version, maxVersion: version })).toBe(fp(wildcardCert));
  });

  it.each(VERSIONS)("serves the default (or refuses) to %s clients without SNI or with an unknown name", async (version) => {
    const opts = { minVersion: version, maxVersion: version } as const;
    if (defaultCert) {
      expect(await handshake(gw.port, undefined, opts)).toBe(fp(defaultCert));
      expect(await handshake(gw.port, "unknown.example.org", opts)).toBe(fp(defaultCert));
      expect(await handshake(gw.port, "www.example.com", opts)).toBe(fp(defaultCert));
    } else {
      await expect(handshake(gw.port, undefined, opts)).rejects.toThrow();
      await expect(handshake(gw.port, "unknown.example.org", opts)).rejects.toThrow();
    }
  });

  it("serves the host's certificate to clients that offer only the other key type's signatures, or refuses them", async () => {
    // A client that cannot verify the host's key type must fail, never be handed the default instead.
    const sigalgs = host.startsWith("rsa") ? "ECDSA+SHA256:ECDSA+SHA384" : "RSA-PSS+SHA256:RSA+SHA256";
    for (const version of VERSIONS) {
      const got = await handshake(gw.port, "checkout.example.com", { minVersion: version, maxVersion: version, sigalgs }).catch(() => "refused");
      expect(got).toBe("refused");
    }
  });
});
