import type { KeyObject, X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { looksLikeKeyMaterial, quoteValue, type CertificateSource, type KeySource, type KeystorePassphrase } from "../model/index.js";
import { captureChain, decodeBase64, decodeCertificates, decodeKeystore, decodePkcs12, decodePrivateKey, keystoreEntry, keystoreType, MaterialError, openKeystoreKey, selectFromChain } from "../x509/index.js";

/**
 * The largest certificate, key or PKCS#12 file read: a whole public CA bundle is well under 1 MiB, and a
 * bigger file is a mistake (a log, an archive, a disk image) that would otherwise be read whole into memory.
 */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** The fields of a file source that only a keystore takes. */
const KEYSTORE_FIELDS = ["alias", "passphrase", "keyPassphrase"] as const;
type FileSource = Extract<CertificateSource, { file: string }>;

/** A failure to read a source, with the field of the source it belongs to. */
export class SourceError extends Error {
  constructor(readonly code: string, message: string, readonly hint: string, readonly field: readonly string[]) {
    super(message);
  }
}

export interface SourceReaderOptions {
  env: NodeJS.ProcessEnv;
  /** Capture url: sources over TLS; when false they are left unread. */
  capture: boolean;
  captureTimeoutMs?: number;
}

/**
 * Reads certificate and key sources once per distinct input: `certs/${environment}/api.pem` in five
 * environments that resolve to the same file is read and decoded once.
 */
/**
 * Whether a certificate source names a keystore entry, which carries its key: its alias or passphrase says so
 * before the file is read (the content tells JKS from JCEKS when it is).
 */
export function namesKeystoreEntry(source: CertificateSource | undefined): boolean {
  return source !== undefined && "file" in source && (source.alias !== undefined || source.passphrase !== undefined);
}

export function sourceReader(opts: SourceReaderOptions) {
  const files = new Map<string, Promise<Buffer>>();
  const captures = new Map<string, Promise<X509Certificate[]>>();

  const readBytes = (baseDir: string, file: string, field: string[]) => {
    if (looksLikeKeyMaterial(file)) {
      return Promise.reject(new SourceError("key-inline", "this path holds key material instead of a file name", "a private key never goes in a stack: put it in a file and give that file's path, or use key: { env: VAR }", field));
    }
    if (/[\u0000-\u001f\u007f]/.test(file)) {
      return Promise.reject(new SourceError("path-invalid", `the path ${quoteValue(file)} holds a control character`, "write the file's path without control characters", field));
    }
    const path = resolve(baseDir, file);
    let p = files.get(path);
    if (!p) {
      p = readSourceFile(path, file, field);
      files.set(path, p);
    }
    return p;
  };

  // Decoding is cached too: the same file in every environment is parsed once. Failures are not cached,
  // so each instance reports its own error at its own field.
  const decoded = new Map<string, unknown>();
  const material = <T>(field: string[], fn: () => T, cacheKey?: string): T => {
    if (cacheKey !== undefined && decoded.has(cacheKey)) return decoded.get(cacheKey) as T;
    try {
      const value = fn();
      if (cacheKey !== undefined) decoded.set(cacheKey, value);
      return value;
    } catch (err) {
      if (err instanceof MaterialError) throw new SourceError(err.code, err.message, err.hint, field);
      // What the decoders did not foresee is still about this input: said at its source, so that the
      // other sources are read and reported too.
      throw new SourceError(
        "decode-failed",
        `cannot decode this ${field[0] === "key" ? "key" : "certificate material"}: ${err instanceof Error ? err.message : String(err)}`,
        "check that the source is an intact PEM, DER or PKCS#12 file; if openssl reads it, please report this to certform with the file",
        field,
      );
    }
  };
  const fileKey = (baseDir: string, file: string, ...rest: (string | undefined)[]) => [resolve(baseDir, file), ...rest].join("\u0000");

  /**
   * `allowKeyInFile`: a server certificate's file may be a combined certificate + key PEM, as many servers
   * keep them; a truststore entry never needs a key, and inline text never may hold one.
   */
  async function certificates(src: CertificateSource, baseDir: string, field: string, allowKeyInFile = false): Promise<{ chain: X509Certificate[]; key?: KeyObject } | undefined> {
    if ("file" in src) {
      const bytes = await readBytes(baseDir, src.file, [field, "file"]);
      if (keystoreType(bytes)) return keystore(src, bytes, baseDir, field, allowKeyInFile);
      const unused = KEYSTORE_FIELDS.find((k) => src[k] !== undefined);
      if (unused) throw new SourceError("keystore-fields-unused", `${unused} applies to a JKS or JCEKS keystore, and ${src.file} is not one`, `remove ${unused}, or point file: at the keystore (.jks or .jceks)`, [field, unused]);
      const opts = { allowPrivateKey: allowKeyInFile };
      return { chain: material([field, "file"], () => decodeCertificates(bytes, opts), fileKey(baseDir, src.file, "certificates", String(allowKeyInFile))) };
    }
    if ("pem" in src) return { chain: material([field, "pem"], () => decodeCertificates(src.pem), `pem\u0000${src.pem}`) };
    if ("base64" in src) {
      return { chain: material([field, "base64"], () => decodeCertificates(decodeBase64(src.base64, src.encoding)), `${src.encoding}\u0000${src.base64}`) };
    }
    if ("pkcs12" in src) {
      const bytes = await readBytes(baseDir, src.pkcs12, [field, "pkcs12"]);
      const p12 = material([field, "pkcs12"], () => pkcs12(bytes, src.passphrase), fileKey(baseDir, src.pkcs12, "pkcs12", src.passphrase));
      return p12.key ? { chain: p12.chain, key: p12.key } : { chain: p12.chain };
    }
    if (!opts.capture) return undefined;
    const id = `${src.url}\u0000${src.servername ?? ""}`;
    let p = captures.get(id);
    if (!p) {
      const captureOpts: { timeoutMs?: number; servername?: string } = {};
      if (opts.captureTimeoutMs !== undefined) captureOpts.timeoutMs = opts.captureTimeoutMs;
      if (src.servername !== undefined) captureOpts.servername = src.servername;
      p = captureChain(src.url, captureOpts).catch((err) => {
        if (err instanceof MaterialError) throw new SourceError(err.code, err.message, err.hint, [field, "url"]);
        throw err;
      });
      captures.set(id, p);
    }
    const chain = await p;
    return { chain: material([field, "select"], () => selectFromChain(chain, src.select)) };
  }

  /**
   * A keystore entry: a server certificate's private-key entry (chain and key), or a trusted-certificate
   * entry for everything else. Each error points at the field it is about: the passphrase, the alias, the file.
   */
  function keystore(src: FileSource, bytes: Buffer, baseDir: string, field: string, serverCertificate: boolean): { chain: X509Certificate[]; key?: KeyObject } {
    const at = (code: string): string[] => {
      if (code === "keystore-passphrase" && src.passphrase !== undefined) return [field, "passphrase"];
      if (code === "keystore-key-passphrase") return [field, src.keyPassphrase !== undefined ? "keyPassphrase" : "passphrase"];
      if ((code === "keystore-alias-missing" || code === "keystore-entry-type") && src.alias !== undefined) return [field, "alias"];
      return [field, "file"];
    };
    const step = <T>(fn: () => T, cacheKey: string): T => {
      try {
        return material([field, "file"], fn, cacheKey);
      } catch (err) {
        if (err instanceof SourceError && err.code.startsWith("keystore-")) throw new SourceError(err.code, err.message, err.hint, at(err.code));
        throw err;
      }
    };
    const passphrase = src.passphrase === undefined ? undefined : secret(src.passphrase, [field, "passphrase"]);
    const ks = step(() => decodeKeystore(bytes, src.file, passphrase), fileKey(baseDir, src.file, "keystore", passphrase));
    const entry = step(() => keystoreEntry(ks, src.alias, serverCertificate ? "privateKey" : "trustedCertificate"), fileKey(baseDir, src.file, "keystore", passphrase, src.alias, String(serverCertificate)));
    if (!serverCertificate) return { chain: entry.chain };
    const keyPassphrase = src.keyPassphrase === undefined ? passphrase : secret(src.keyPassphrase, [field, "keyPassphrase"]);
    const key = step(() => openKeystoreKey(ks, entry, keyPassphrase ?? ""), fileKey(baseDir, src.file, "keystore-key", passphrase, entry.alias, keyPassphrase));
    return { chain: entry.chain, key };
  }

  /** A passphrase as text (already interpolated) or read from the variable that { env: VAR } names. */
  function secret(value: KeystorePassphrase, field: string[]): string {
    if (typeof value === "string") return value;
    const text = opts.env[value.env];
    if (text === undefined || text === "") throw new SourceError("env-unset", `environment variable ${value.env} is not set`, `set ${value.env} to the passphrase`, [...field, "env"]);
    return text;
  }

  async function key(src: KeySource, baseDir: string): Promise<KeyObject> {
    if ("env" in src) {
      const text = opts.env[src.env];
      if (!text) throw new SourceError("env-unset", `environment variable ${src.env} is not set`, `put the key's PEM text in ${src.env}`, ["key", "env"]);
      return material(["key", "env"], () => decodePrivateKey(text, src.passphrase));
    }
    if ("file" in src) {
      const bytes = await readBytes(baseDir, src.file, ["key", "file"]);
      return material(["key", "file"], () => decodePrivateKey(bytes, src.passphrase), fileKey(baseDir, src.file, "key", src.passphrase));
    }
    const bytes = await readBytes(baseDir, src.pkcs12, ["key", "pkcs12"]);
    const p12 = material(["key", "pkcs12"], () => pkcs12(bytes, src.passphrase), fileKey(baseDir, src.pkcs12, "pkcs12", src.passphrase));
    if (!p12.key) throw new SourceError("pkcs12-no-key", `${src.pkcs12} holds no private key`, "export the PKCS#12 with its key, or give key: { file: PATH }", ["key", "pkcs12"]);
    return p12.key;
  }

  return { certificates, key };
}

/** Reads a regular file of at most MAX_SOURCE_BYTES: a device or a pipe (/dev/zero) would never end. */
async function readSourceFile(path: string, file: string, field: string[]): Promise<Buffer> {
  const unreadable = (code: string, message: string, hint = "paths are relative to the stack file; check the name and ${environment} in it") => new SourceError(code, message, hint, field);
  try {
    const st = await stat(path);
    if (!st.isFile()) throw unreadable("file-unreadable", `${file} is ${st.isDirectory() ? "a directory" : "not a regular file (a device, pipe or socket)"}, not a certificate or key file`);
    if (st.size > MAX_SOURCE_BYTES) {
      throw unreadable("file-too-large", `${file} is ${(st.size / 1024 / 1024).toFixed(1)} MiB; a certificate, key or PKCS#12 file is at most ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`, "point at the certificate or key file itself, not at an archive, a log or a whole directory's worth of files");
    }
    return await readFile(path);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw unreadable("file-not-found", `file ${file} does not exist (looked for ${path})`);
    throw unreadable("file-unreadable", `cannot read ${file}: ${code ?? (err as Error).message}`);
  }
}

// Files without a passphrase are usually protected by an empty one; a wrong guess then means one is needed.
function pkcs12(bytes: Buffer, passphrase: string | undefined) {
  try {
    return decodePkcs12(bytes, passphrase ?? "");
  } catch (err) {
    if (passphrase === undefined && err instanceof MaterialError && err.code === "pkcs12-passphrase") {
      throw new MaterialError("pkcs12-passphrase-required", "this PKCS#12 file is protected by a passphrase and none is given", "add passphrase: ${env:VAR} to the source");
    }
    throw err;
  }
}
export type SourceReader = ReturnType<typeof sourceReader>;
