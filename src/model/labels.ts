/** The labels certform keeps on every gateway object it owns. */
export const LABEL = {
  stack: "certform.dev/stack",
  address: "certform.dev/address",
  /** A hash of the declared input: a change of it is a change of the object, even where the gateway cannot show it. */
  hash: "certform.dev/hash",
  /** protect: true travels with the object, so that a delete is refused even once the declaration is gone. */
  protect: "certform.dev/protect",
  onCertificateChange: "certform.dev/on-certificate-change",
  onCertificateDelete: "certform.dev/on-certificate-delete",
  /** Set on a JWK kept standalone when its certificate changed or went: the address it came from. */
  disconnectedFrom: "certform.dev/disconnected-from",
} as const;
