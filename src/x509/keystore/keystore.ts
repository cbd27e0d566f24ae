import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { quoteValue } from "../../model/redact.js";
import { MaterialError } from "../errors.js";
import { openJceksKey } from "./jceks-key.js";

// Java keystores (JKS, and JCEKS, which has JKS's layout with another magic number and key protection),
// read with the jks-js package. Entries are listed without opening any key; a private key is opened only
// for the entry a source names.

export type KeystoreType = "JKS" | "JCEKS";
export type KeystoreEntryType = "privateKey" | "trustedCertificate";

export interface KeystoreEntry {
  alias: string;
  type: KeystoreEntryType;
  created: Date;
  /** A private-key entry's chain (leaf first), or a trusted-certificate entry's one certificate. */
  chain: X509Certificate[];
  protectedKey?: Buffer;
}

export interface Keystore {
  type: KeystoreType;
  /** The file as the user named it, for messages. */
  name: string;
  entries: KeystoreEntry[];
}

const MAGIC: Record<KeystoreType, number> = { JKS: 0xfeedfeed, JCEKS: 0xcececece };

/** JKS or JCEKS by the file's magic number, whatever its name; undefined for anything else. */
export function keystoreType(data: Uint8Array): KeystoreType | undefined {
  if (data.length < 8) return undefined;
  const magic = Buffer.from(data.buffer, data.byteOffset, 4).readUInt32BE(0);
  return magic === MAGIC.JKS ? "JKS" : magic === MAGIC.JCEKS ? "JCEKS" : undefined;
}

interface RawCertificate {
  certType: string;
  value: Buffer;
}
interface RawEntry {
  alias: string;
  date: Date;
  cert?: RawCertificate;
  chain?: RawCertificate[];
  protectedPrivateKey?: Buffer;
}
type Parser = new (keystore: Buffer, password: string) => { parse(): RawEntry[]; assertMagic(magic: number): void };

const require = createRequire(import.meta.url);

/** jks-js's JKS parser, or the same parser taking JCEKS's magic number (jks-js itself reads JKS only). */
function parserFor(type: KeystoreType): Parser {
  const Jks = require("jks-js/lib/keystore/JavaKeyStoreParser") as Parser;
  if (type === "JKS") return Jks;
  return class JceksParser extends Jks {
    override assertMagic(magic: number): void {
      if (magic !== MAGIC.JCEKS) throw new Error("Invalid keystore format");
    }
  };
}

const unsupported = (name: string, what: string, hint: string) => new MaterialError("keystore-unsupported", `keystore ${name} ${what}, which certform cannot read`, hint);

/**
 * Every entry of a JKS or JCEKS keystore, its integrity checked with `passphrase`. `unverified` lists one
 * without a passphrase, as keytool -list does, unchecked: for showing only, never for a source.
 */
export function decodeKeystore(data: Buffer, name: string, passphrase: string | undefined, opts: { unverified?: boolean } = {}): Keystore {
  const type = keystoreType(data);
  if (!type) throw new MaterialError("undecodable", `${name} is not a JKS or JCEKS keystore`, "point the source at a .jks or .jceks file");
  if (!passphrase && !opts.unverified) {
    throw new MaterialError("keystore-passphrase-required", `keystore ${name} (${type}) needs its passphrase: without it the keystore's integrity cannot be checked`, "add passphrase: ${env:VAR} (the keystore's store password) to the source");
  }
  let raw: RawEntry[];
  try {
    raw = new (parserFor(type))(data, passphrase ?? "").parse();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message === "Password verification failed") {
      throw new MaterialError("keystore-passphrase", `the passphrase does not open keystore ${name} (${type}): its integrity check fails`, "check the value of the passphrase variable: it is the keystore's store password (keytool -storepass)");
    }
    if (message === "Unrecognized keystore entry") {
      throw unsupported(name, `(${type}) holds a secret-key entry`, "move the certificates to a keystore without secret keys: keytool -importkeystore -srcalias ALIAS for each certificate entry, or export them as PEM with keytool -exportcert");
    }
    if (message === "Invalid keystore format") throw unsupported(name, `(${type}) is of a format version other than 1 or 2`, "convert it with keytool -importkeystore -deststoretype PKCS12 and use a pkcs12 source");
    throw new MaterialError("keystore-malformed", `keystore ${name} (${type}) is malformed: ${message}`, "the file may be truncated; copy it again from where it was made");
  }
  const certificate = (c: RawCertificate, alias: string): X509Certificate => {
    if (c.certType !== "X.509") throw unsupported(name, `holds a ${quoteValue(c.certType)} certificate under alias ${quoteValue(alias)}`, "keep only X.509 certificates in the keystore");
    try {
      return new X509Certificate(c.value);
    } catch {
      throw new MaterialError("keystore-malformed", `keystore ${name} (${type}) holds an unreadable certificate under alias ${quoteValue(alias)}`, "import that certificate again with keytool -importcert");
    }
  };
  const entries = raw.map((e): KeystoreEntry => {
    if (e.cert) return { alias: e.alias, type: "trustedCertificate", created: e.date, chain: [certificate(e.cert, e.alias)] };
    return { alias: e.alias, type: "privateKey", created: e.date, chain: (e.chain ?? []).map((c) => certificate(c, e.alias)), ...(e.protectedPrivateKey ? { protectedKey: e.protectedPrivateKey } : {}) };
  });
  // A JKS file keeps Java's hash-table order, which differs between writes of the same entries: by alias is stable.
  entries.sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  return { type, name, entries };
}

const TYPE_WORDS: Record<KeystoreEntryType, string> = { privateKey: "private key", trustedCertificate: "trusted certificate" };

/** The aliases of a keystore with their types, for messages: `api (private key), partner (trusted certificate)`. */
export function keystoreAliases(ks: Keystore): string {
  return ks.entries.map((e) => `${quoteValue(e.alias)} (${TYPE_WORDS[e.type]})`).join(", ") || "no entries";
}

/**
 * The entry a source names: by alias (case-insensitive, as Java compares them), or the only entry when no
 * alias is given. `want` is the kind of entry the source needs.
 */
export function keystoreEntry(ks: Keystore, alias: string | undefined, want: KeystoreEntryType): KeystoreEntry {
  const label = `keystore ${ks.name} (${ks.type})`;
  let entry: KeystoreEntry | undefined;
  if (alias === undefined) {
    if (ks.entries.length !== 1) {
      throw new MaterialError("keystore-alias-required", `${label} holds ${ks.entries.length} entries, and no alias: says which one to use; it holds: ${keystoreAliases(ks)}`, `add alias: NAME to the source, naming a ${TYPE_WORDS[want]} entry`);
    }
    entry = ks.entries[0]!;
  } else {
    entry = ks.entries.find((e) => e.alias.toLowerCase() === alias.toLowerCase());
    if (!entry) throw new MaterialError("keystore-alias-missing", `${label} has no entry with alias ${quoteValue(alias)}; it holds: ${keystoreAliases(ks)}`, `fix the alias, or list the keystore with certform inspect ${ks.name} --passphrase-env VAR`);
  }
  if (entry.type !== want) {
    const hint =
      want === "privateKey"
        ? "a server certificate needs a private-key entry (its chain and key): name one, or import the certificate with its key (keytool -importkeystore from a PKCS#12 file)"
        : "a trusted certificate comes from a trusted-certificate entry: name one, or declare this entry under certificates: as a server certificate";
    throw new MaterialError("keystore-entry-type", `alias ${quoteValue(entry.alias)} of ${label} is a ${TYPE_WORDS[entry.type]} entry, where a ${TYPE_WORDS[want]} entry is needed`, hint);
  }
  if (entry.chain.length === 0) throw new MaterialError("keystore-malformed", `alias ${quoteValue(entry.alias)} of ${label} holds a key without a certificate chain`, "import the key together with its certificate");
  return entry;
}

const KEY_ALGORITHMS: Record<string, string> = { "1.3.101.112": "Ed25519", "1.3.101.113": "Ed448", "1.3.101.110": "X25519", "1.3.101.111": "X448" };

/** A private-key entry's key, opened with its key password (by default the keystore's passphrase). */
export function openKeystoreKey(ks: Keystore, entry: KeystoreEntry, password: string): KeyObject {
  const label = `alias ${quoteValue(entry.alias)} of keystore ${ks.name} (${ks.type})`;
  const wrong = () =>
    new MaterialError("keystore-key-passphrase", `the key password does not open the private key of ${label}`, "give the entry's key password (keytool -keypass) as keyPassphrase: ${env:VAR}; without keyPassphrase the keystore's passphrase is tried");
  if (!entry.protectedKey) throw wrong();
  let key: KeyObject | undefined;
  try {
    if (ks.type === "JCEKS") key = openJceksKey(entry.protectedKey, password);
    else {
      const { decrypt } = require("jks-js") as typeof import("jks-js");
      key = createPrivateKey(decrypt(entry.protectedKey, password));
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message === "Cannot recover key") throw wrong();
    // jks-js reads RSA, EC and DSA keys; for others it names the algorithm's OID.
    const oid = /algorithm (\d+(?:\.\d+)+)/.exec(message)?.[1];
    const what = oid ? `its key algorithm ${oid}${KEY_ALGORITHMS[oid] ? ` (${KEY_ALGORITHMS[oid]})` : ""} is not one certform reads from a ${ks.type} file` : message;
    throw new MaterialError("keystore-unsupported", `the private key of ${label} cannot be read: ${what}`, "certform reads RSA and EC keys from JKS, and RSA, EC and Ed25519 keys from JCEKS; convert the keystore with keytool -importkeystore -deststoretype PKCS12 and use a pkcs12 source");
  }
  if (!key) throw wrong();
  return key;
}
