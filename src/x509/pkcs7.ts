/** The certificates of a PKCS#7 / CMS SignedData (a .p7b), read with @peculiar/asn1-schema. */
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { ContentInfo, id_signedData } from "@peculiar/asn1-cms";
import { parseAs } from "./asn1.js";

// Certificates are kept as the bytes they were written in: re-encoding a parsed certificate could
// change a byte and with it the signature.
@AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })
class RawCertificateSet extends AsnArray<ArrayBuffer> {}

class SignedDataCertificates {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 0;

  @AsnProp({ type: AsnPropTypes.Any })
  digestAlgorithms = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any })
  encapContentInfo = new ArrayBuffer(0);

  @AsnProp({ type: RawCertificateSet, context: 0, implicit: true, optional: true })
  certificates?: RawCertificateSet;

  @AsnProp({ type: AsnPropTypes.Any, context: 1, implicit: true, optional: true })
  crls?: ArrayBuffer;

  @AsnProp({ type: AsnPropTypes.Any })
  signerInfos = new ArrayBuffer(0);
}

/** The DER of each certificate of a SignedData, in the order stored; throws a plain Error when it is none. */
export function pkcs7Certificates(der: Uint8Array): Buffer[] {
  const info = parseAs(der, ContentInfo);
  if (info.contentType !== id_signedData) throw new Error(`content type ${info.contentType}`);
  const signed = parseAs(info.content, SignedDataCertificates);
  return [...(signed.certificates ?? [])].map((c) => Buffer.from(c));
}
