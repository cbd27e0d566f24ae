/** Certificate material: decoding, checks, descriptions and generation. */

export { MaterialError, isMaterialError } from "./errors.js";
export { decodeCertificates, type DecodeCertificatesOptions } from "./decode-certificates.js";
export { decodeBase64, type Base64Encoding } from "./base64.js";
export { decodePrivateKey } from "./decode-key.js";
export { decodePkcs12, type Pkcs12Contents } from "./pkcs12/pkcs12.js";
export { captureChain, captureTarget, type CaptureOptions, type CaptureTarget } from "./capture.js";
export { selectFromChain, orderChain, isSelfSigned, issuedBy, matchesKey } from "./chain-order.js";
export { fingerprintKey, formatFingerprint, normalizeSha256 } from "./fingerprint.js";
export { hostCovered, hostProblem, dnsSans, ipSans, wildcardPublicSuffix } from "./host-match.js";
export { dnProblem } from "./dn.js";
export { checkServerCertificate, checkTrustedCertificate, type Finding, type ServerCheckInput, type TrustedCheckInput } from "./checks.js";
export {
  describeCertificate,
  describeChain,
  describeKey,
  certLabel,
  keyShape,
  certificateKeyShape,
  type KeyShape,
  daysLeft,
  statusAt,
  type CertificateInfo,
  type CertificateStatus,
  type ChainLink,
  type KeyInfo,
} from "./describe.js";
export { generateCertificate, generateKeyPairFor, type GenerateOptions, type Generated, type KeyType, type SignatureHash } from "./generate.js";
export { generateServerCertificate, type ServerGenerateRequest } from "./generate-server.js";
export { certificatesToPem, derToPem, privateKeyToPem, parsePemBlocks, type KeyPemFormat } from "./pem.js";
export { sniffDer, type MaterialKind } from "./der-sniff.js";
export { certFields } from "./cert-fields.js";
export { loadablePublicKey } from "./key-shape.js";
export { jwkFromCertificate, jwkProblem, jwkThumbprint, publicJwk, type JwkUse } from "./jwk.js";
export { createCsr, csrKeyFingerprint, type CsrRequest } from "./csr.js";
export { decodeKeystore, keystoreAliases, keystoreEntry, keystoreType, openKeystoreKey, type Keystore, type KeystoreEntry, type KeystoreEntryType, type KeystoreType } from "./keystore/keystore.js";
