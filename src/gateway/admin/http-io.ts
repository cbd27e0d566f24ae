import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { fail, type Failure } from "../store/index.js";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendFailure(res: ServerResponse, failure: Failure, headers: OutgoingHttpHeaders = {}): void {
  const extra: OutgoingHttpHeaders = failure.status === 401 ? { "www-authenticate": 'Bearer realm="certform"' } : {};
  sendJson(res, failure.status, { error: failure.error }, { ...extra, ...headers });
}

export const etag = (revision: number): OutgoingHttpHeaders => ({ etag: `"${revision}"` });

export type JsonBody = { ok: true; value: unknown } | Failure;

/**
 * The request's JSON body. Over `maxBytes` → 413, decided from Content-Length before reading and by
 * counting while streaming; the rest of an oversize body is read and dropped (up to a cap) so that
 * the client, still sending, gets to read the 413. `optional`: an empty body is `undefined`.
 */
export function readJson(req: IncomingMessage, maxBytes: number, opts: { optional?: boolean } = {}): Promise<JsonBody> {
  const tooLarge = fail(413, "body-too-large", `the request body is larger than ${maxBytes} bytes`, { hint: "split the change into smaller requests" });
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxBytes) {
    drain(req, maxBytes);
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      done = true;
      req.off("data", onData);
      drain(req, maxBytes);
      resolve(tooLarge);
    };
    req.on("data", onData);
    req.on("error", () => {
      if (!done) resolve(fail(400, "body-unreadable", "the request body could not be read"));
      done = true;
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") {
        resolve(opts.optional ? { ok: true, value: undefined } : fail(400, "invalid-json", "the request has no body; send a JSON object"));
        return;
      }
      try {
        resolve({ ok: true, value: JSON.parse(text) });
      } catch {
        // JSON.parse messages quote the text around the error; it may be a key, so they are not passed on.
        resolve(fail(400, "invalid-json", "the request body is not valid JSON", { hint: "send a JSON object with Content-Type: application/json" }));
      }
    });
  });
}

// Reading and dropping costs little; cutting the connection could lose the 413 in the client's
// socket buffer. Past the cap the sender is abusive and the connection goes.
function drain(req: IncomingMessage, maxBytes: number): void {
  const cap = Math.max(maxBytes * 16, 64 * 1024 * 1024);
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > cap) req.destroy();
  });
  req.resume();
}
