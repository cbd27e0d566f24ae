import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCa, type Issued } from "../../../test/support/pki.js";
import type { Store } from "../store/index.js";
import { createAdminHandler } from "./handler.js";
import { send, startAdmin, type Admin, type Reply } from "../../../test/support/admin-server.js";

const TOKEN = "s3cret-admin-token";
let admin: Admin;
let ca: Issued;

beforeAll(async () => {
  ca = await makeCa();
  admin = await startAdmin({ token: TOKEN, maxBodyBytes: 4096, defaultHeaders: { authorization: `Bearer ${TOKEN}` } });
});
afterAll(() => admin?.close());

/** A request whose body is streamed in chunks, without Content-Length. */
function streamed(path: string, chunks: number, chunkSize: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${admin.url}${path}`, { method: "PUT", headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    for (let i = 0; i < chunks; i++) req.write("x".repeat(chunkSize));
    req.end();
  });
}

describe("admin HTTP", () => {
  it("answers 401 with WWW-Authenticate without the token or with a wrong one, on every route", async () => {
    for (const path of ["/v1/status", "/v1/certificates", "/v1/trusted/x", "/metrics", "/nowhere"]) {
      for (const auth of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
        const r = await send(`${admin.url}${path}`, "GET", undefined, auth ? { authorization: auth } : {});
        expect(r.status, `${path} ${auth}`).toBe(401);
        expect(r.headers["www-authenticate"]).toMatch(/^Bearer/);
        expect(r.body.error.code).toBe("unauthorized");
      }
    }
    expect((await admin.call("GET", "/v1/status")).status).toBe(200);
    expect((await send(`${admin.url}/v1/status`, "GET", undefined, { authorization: `bearer  ${TOKEN}` })).status).toBe(200);
  });

  it("answers 413 to a body over the limit, declared or streamed, and stays usable", async () => {
    const declared = await admin.call("PUT", "/v1/trusted/big", { certificate: "x".repeat(64 * 1024) });
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe("body-too-large");
    const chunked = await streamed("/v1/trusted/big", 20, 1024);
    expect(chunked.status).toBe(413);
    expect(admin.store.state().revision).toBe(0);
    expect((await admin.call("PUT", "/v1/trusted/small", { certificate: ca.pem })).status).toBe(201);
  });

  it("has a default limit of 1 MiB, and fetch reads the 413 of a 2 MiB body", async () => {
    const open = await startAdmin();
    try {
      const big = JSON.stringify({ certificate: "x".repeat(2 * 1024 * 1024) });
      const r = await fetch(`${open.url}/v1/trusted/big`, { method: "PUT", body: big, headers: { "content-type": "application/json" } });
      expect(r.status).toBe(413);
      const fits = await fetch(`${open.url}/v1/trusted/fits`, { method: "PUT", body: JSON.stringify({ certificate: ca.pem, labels: { pad: "x".repeat(1000) } }) });
      expect(fits.status).toBe(201);
    } finally {
      await open.close();
    }
  });

  it("answers 404 to unknown routes and objects, 405 with Allow to wrong methods", async () => {
    for (const path of ["/", "/v2/status", "/v1/things", "/v1/certificates/a/b"]) {
      const r = await admin.call("GET", path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe("not-found");
    }
    expect((await admin.call("GET", "/v1/trusted/nope")).body.error).toMatchObject({ code: "not-found", message: 'there is no trusted alias "nope"' });
    // Names that are Object.prototype members are names like any other.
    expect((await admin.call("GET", "/v1/endpoints/constructor")).status).toBe(404);
    expect((await admin.call("DELETE", "/v1/endpoints/constructor")).status).toBe(404);
    const wrong = await admin.call("DELETE", "/v1/certificates");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("GET, POST");
    expect((await admin.call("PUT", "/v1/status")).status).toBe(405);
  });

  it("serves Prometheus metrics", async () => {
    await admin.call("POST", "/v1/lock", { holder: "m", ttlSeconds: 60 });
    const m = await admin.call("GET", "/metrics");
    await admin.call("DELETE", "/v1/lock", { holder: "m" });
    expect(m.status).toBe(200);
    expect(m.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const rev = admin.store.state().revision;
    expect(m.text).toMatch(new RegExp(`^certform_gateway_revision ${rev}$`, "m"));
    expect(m.text).toMatch(/^certform_gateway_objects\{collection="trusted"\} 1$/m);
    expect(m.text).toMatch(/^certform_gateway_lock_held 1$/m);
    const notAfter = Math.floor(new Date(ca.certificate.validTo).getTime() / 1000);
    expect(m.text).toContain(`certform_certificate_not_after_seconds{kind="trustedCertificates",name="small",alias="small"} ${notAfter}`);
    expect(m.text).toMatch(/^certform_certificate_days_left\{kind="trustedCertificates",name="small",alias="small"\} 36(49|50)$/m);
    expect(m.text).toMatch(/^certform_admin_requests_total\{method="GET",code="401"\} \d+$/m);
    expect(m.text).toMatch(/^certform_admin_requests_total\{method="PUT",code="413"\} 2$/m);
    expect(m.text).toMatch(/^# TYPE certform_admin_requests_total counter$/m);
  });

  it("answers 500 to an internal error, and logs no key material", async () => {
    const lines: string[] = [];
    const broken = { state: () => { throw new Error(`boom ${ca.keyPem}`); } } as unknown as Store;
    const server = createServer(createAdminHandler({ store: broken, log: (l) => lines.push(l) }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const r = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/status`, "GET");
      expect(r.status).toBe(500);
      expect(r.body.error.code).toBe("internal");
      expect(r.text).not.toContain("PRIVATE");
      expect(lines).toEqual(["certform gateway: internal error on GET /v1/status: (message withheld: it may hold key material)"]);
    } finally {
      server.close();
    }
  });
});
