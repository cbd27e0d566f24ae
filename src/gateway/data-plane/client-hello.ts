/**
 * The server name a connection's ClientHello asks for, read from the connection's first bytes before
 * any TLS server sees them (listener.ts). Synchronous and allocation-free in the usual case (the whole
 * ClientHello in one TCP read), because it runs once per handshake: a general-purpose parser built on
 * streams and promises cost the gateway about as much CPU as the handshake's own signature.
 *
 * It reads the name as OpenSSL will: exactly one host_name entry in the server_name extension, taken
 * byte for byte (Node hands SNICallback the same bytes as a one-byte string). What OpenSSL would refuse
 * to parse reads as no name: that handshake fails wherever it goes.
 */
export type HelloRead = { complete: false } | { complete: true; servername: string | undefined; acmeTls?: true };

const MORE: HelloRead = { complete: false };
const NONE: HelloRead = { complete: true, servername: undefined };

const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME_EXTENSION = 0x0000;
const ALPN_EXTENSION = 0x0010;
// RFC 8737: an ACME CA validating tls-alpn-01 offers this protocol, and only this one.
const ACME_TLS = Buffer.from("acme-tls/1", "latin1");
const HOST_NAME = 0x00;
// OpenSSL's limits: a record's plaintext (plus the slack it allows) and a ClientHello message.
const MAX_RECORD = 16_384 + 2_048;
const MAX_CLIENT_HELLO = 131_396;

/** `data`: every byte the connection has sent so far. Incomplete: call again when more arrives. */
export function readHello(data: Buffer): HelloRead {
  // A ClientHello may span several handshake records; it is nearly always in the first one alone.
  let offset = 0;
  let first: Buffer | undefined;
  let fragments: Buffer[] | undefined;
  let have = 0;
  for (;;) {
    if (data.length < offset + 5) return MORE;
    if (data[offset] !== HANDSHAKE_RECORD || data[offset + 1] !== 0x03) return NONE;
    const length = data.readUInt16BE(offset + 3);
    if (length === 0 || length > MAX_RECORD) return NONE;
    if (data.length < offset + 5 + length) return MORE;
    const fragment = data.subarray(offset + 5, offset + 5 + length);
    if (!first) first = fragment;
    else (fragments ??= [first]).push(fragment);
    have += length;
    offset += 5 + length;
    const message = fragments ? Buffer.concat(fragments, have) : first;
    if (message.length < 4) continue;
    if (message[0] !== CLIENT_HELLO) return NONE;
    const messageLength = message.readUIntBE(1, 3);
    if (messageLength > MAX_CLIENT_HELLO) return NONE;
    if (message.length < 4 + messageLength) continue;
    return readExtensions(message.subarray(4, 4 + messageLength));
  }
}

/**
 * The host_name of a ClientHello body's server_name extension (undefined when there is none or it is
 * malformed), and whether its ALPN extension offers acme-tls/1.
 */
function readExtensions(body: Buffer): HelloRead {
  let servername: string | undefined;
  let acmeTls = false;
  // legacy_version (2), random (32), then session id, cipher suites and compression methods.
  let p = 34;
  if (p + 1 > body.length) return NONE;
  p += 1 + body[p]!;
  if (p + 2 > body.length) return NONE;
  p += 2 + body.readUInt16BE(p);
  if (p + 1 > body.length) return NONE;
  p += 1 + body[p]!;
  if (p + 2 > body.length) return NONE;
  const end = p + 2 + body.readUInt16BE(p);
  if (end > body.length) return NONE;
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    p += 4;
    if (p + length > end) return NONE;
    if (type === SERVER_NAME_EXTENSION) servername = hostName(body.subarray(p, p + length));
    else if (type === ALPN_EXTENSION) acmeTls = offersAcmeTls(body.subarray(p, p + length));
    p += length;
  }
  return acmeTls ? { complete: true, servername, acmeTls: true } : { complete: true, servername };
}

function offersAcmeTls(extension: Buffer): boolean {
  // protocol_name_list (2-byte length) of 1-byte-length names.
  if (extension.length < 2 || extension.readUInt16BE(0) !== extension.length - 2) return false;
  for (let p = 2; p < extension.length; ) {
    const length = extension[p]!;
    if (length === ACME_TLS.length && extension.compare(ACME_TLS, 0, ACME_TLS.length, p + 1, p + 1 + length) === 0) return true;
    p += 1 + length;
  }
  return false;
}

function hostName(extension: Buffer): string | undefined {
  // server_name_list (2-byte length) holding exactly one entry: name_type, then a 2-byte length.
  if (extension.length < 5 || extension.readUInt16BE(0) !== extension.length - 2) return undefined;
  if (extension[2] !== HOST_NAME || extension.readUInt16BE(3) !== extension.length - 5) return undefined;
  if (extension.length === 5 || extension.includes(0, 5)) return undefined;
  return extension.toString("latin1", 5);
}
