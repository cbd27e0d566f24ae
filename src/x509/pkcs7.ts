/** The certificates of a PKCS#7 / CMS SignedData (a .p7b), read with @peculiar/asn1-schema. */
import { AsnArray, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { ContentInfo, id_signedData } from "@peculiar/asn1-cms";
import { declareFields, parseAs } from "./asn1.js";

// Certificates are kept as the bytes they were written in: re-encoding a parsed certificate could
// change a byte and with it the signature.
class RawCertificateSet extends AsnArray<ArrayBuffer> {}
AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })(RawCertificateSet);

class SignedDataCertificates {
  version = 0;
  digestAlgorithms = new ArrayBuffer(0);
  encapContentInfo = new ArrayBuffer(0);
  certificates?: RawCertificateSet;
  crls?: ArrayBuffer;
  signerInfos = new ArrayBuffer(0);
}
declareFields(SignedDataCertificates, {
  version: { type: AsnPropTypes.Integer },
  digestAlgorithms: { type: AsnPropTypes.Any },
  encapContentInfo: { type: AsnPropTypes.Any },
  certificates: { type: RawCertificateSet, context: 0, implicit: true, optional: true },
  crls: { type: AsnPropTypes.Any, context: 1, implicit: true, optional: true },
  signerInfos: { type: AsnPropTypes.Any },
});

/** The DER of each certificate of a SignedData, in the order stored; throws a plain Error when it is none. */
export function pkcs7Certificates(der: Uint8Array): Buffer[] {
  const info = parseAs(der, ContentInfo);
  if (info.contentType !== id_signedData) throw new Error(`content type ${info.contentType}`);
  const signed = parseAs(info.content, SignedDataCertificates);
  return [...(signed.certificates ?? [])].map((c) => Buffer.from(c));
}
