import type { ServerResponse } from "node:http";

/** A JSON answer from the gateway itself (not from a backend): never cached, never sniffed. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

export function sendError(res: ServerResponse, status: number, error: { code: string; message: string } & Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error }, headers);
}
