import { createServer, type Server } from "node:http";
import type { AcmeChallenges } from "../acme-challenges.js";

const PREFIX = "/.well-known/acme-challenge/";

/**
 * The plain HTTP listener (`gateway start --http`): it answers ACME http-01 (RFC 8555 §8.3) with the key
 * authorization of a pending challenge, whatever Host the CA sends, and nothing else: every other request
 * gets 404, so no route is ever served without TLS.
 */
export function acmeHttpServer(challenges: AcmeChallenges): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const answer = (req.method === "GET" || req.method === "HEAD") && path.startsWith(PREFIX) ? challenges.httpResponse(path.slice(PREFIX.length)) : undefined;
    if (answer === undefined) {
      const text = "not found: this listener answers ACME http-01 challenges only; the gateway serves HTTPS\n";
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
      return void res.end(req.method === "HEAD" ? undefined : text);
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(answer), "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : answer);
  });
}
