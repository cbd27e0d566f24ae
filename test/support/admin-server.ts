// Shared by the admin API's tests (src/gateway/admin/*.test.ts): a real HTTP server on 127.0.0.1:0 over a real
// store in a fresh temporary directory.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tempDir } from "./pki.js";
import { openStore, type Store } from "../../src/gateway/store/index.js";
import { createAdminHandler, type AdminOptions } from "../../src/gateway/admin/index.js";

export interface Reply<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: T;
}

export interface Admin {
  url: string;
  dir: string;
  store: Store;
  /** A JSON request; `body` a string is sent as is. */
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function startAdmin(opts: Omit<AdminOptions, "store"> & { defaultHeaders?: Record<string, string> } = {}): Promise<Admin> {
  const dir = await tempDir("certform-admin-");
  const store = await openStore(dir, { node: "node-1", environment: "test" });
  const { defaultHeaders = {}, ...handlerOpts } = opts;
  const server = createServer(createAdminHandler({ store, ...handlerOpts }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    dir,
    store,
    call: (method, path, body, headers = {}) => send(`${url}${path}`, method, body, { ...defaultHeaders, ...headers }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

export function send<T = any>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, body: parsed as T });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}
