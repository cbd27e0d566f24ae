import { describe, expect, it } from "vitest";
import { haproxyConfig } from "./config-text.js";
import { layoutOf } from "./layout.js";

const layout = layoutOf("/var/lib/certform/haproxy");
const endpoints = [
  { name: "api", url: "https://billing.internal:9443/", path: "/api" },
  { name: "api-v2", url: "https://[fd00::2]/v2", path: "/api/v2/" },
  { name: "plain", url: "http://10.0.0.5:8080", path: "/" },
];

describe("haproxyConfig", () => {
  const text = haproxyConfig({ environment: "prod", node: "tcp://127.0.0.1:9999", listen: "0.0.0.0:8443", layout, endpoints, fragment: false });

  it("has the node's runtime API socket and a strict-sni bind with the crt-list", () => {
    expect(text).toContain("stats socket ipv4@127.0.0.1:9999 level admin");
    expect(text).toContain("bind 0.0.0.0:8443 ssl crt-list /var/lib/certform/haproxy/crt-list.txt strict-sni");
  });

  it("routes the longest prefix first, as the embedded gateway does", () => {
    const routes = text.split("\n").filter((l) => l.includes("use_backend"));
    expect(routes).toEqual([
      "    use_backend certform_api-v2 if { path /api/v2 } || { path_beg /api/v2/ }",
      "    use_backend certform_api if { path /api } || { path_beg /api/ }",
      "    use_backend certform_plain",
    ]);
    expect(text).toContain("http-request replace-path ^/api/v2/(.*)$ /v2/\\1");
    expect(text).toContain("http-request replace-path ^/api$ /");
  });

  it("verifies https servers against the endpoint's CA file, with a client certificate, checking names (not IPs)", () => {
    expect(text).toContain("server api billing.internal:9443 init-addr last,libc,none ssl verify required ca-file /var/lib/certform/haproxy/ca/api.pem crt /var/lib/certform/haproxy/client.pem sni str(billing.internal) verifyhost billing.internal");
    expect(text).toMatch(/server api-v2 \[fd00::2\]:443 .*crt \S+client\.pem\n/);
    expect(text).toContain("server plain 10.0.0.5:8080 init-addr last,libc,none\n");
  });

  it("--fragment leaves global and defaults to the including configuration", () => {
    const fragment = haproxyConfig({ environment: "prod", node: "unix:///run/haproxy/admin.sock", listen: "127.0.0.1:8443", layout, endpoints, fragment: true });
    expect(fragment).not.toMatch(/^(global|defaults)/m);
    expect(fragment).toContain("frontend certform_prod");
  });
});
