import { describe, expect, it } from "vitest";
import { committedUsers, expectAnswer, parseCrtList, parseServersState, parseStoreList, serverMatches, sha1sOf } from "./answers.js";
import { socketOf } from "./layout.js";
import { payloadOf } from "./runtime.js";

// HAProxy 2.6's answers, as captured from a running 2.6.12.

describe("runtime API answers", () => {
  it("reads `show ssl cert` with an open transaction, and `show ssl ca-file` counts", () => {
    expect(parseStoreList("# transaction\n*/d/certs/a.pem\n# filename\n/d/certs/a.pem\n/d/client.pem\n")).toEqual({ names: ["/d/certs/a.pem", "/d/client.pem"], transaction: "/d/certs/a.pem" });
    expect(parseStoreList("# filename\n/d/ca/x.pem - 1 certificate(s)\n@system-ca - 144 certificate(s)\n")).toEqual({ names: ["/d/ca/x.pem", "@system-ca"] });
  });

  it("reads crt-list entries with their line and SNI filters, skipping SSL options", () => {
    expect(parseCrtList("# /d/crt-list.txt\n/d/certs/a.pem:1 a.test b.test\n/d/certs/b.pem:3 [alpn h2] !x.test\n/d/certs/c.pem:4\n")).toEqual([
      { certificate: "/d/certs/a.pem", line: 1, filters: ["a.test", "b.test"] },
      { certificate: "/d/certs/b.pem", line: 3, filters: ["!x.test"] },
      { certificate: "/d/certs/c.pem", line: 4, filters: [] },
    ]);
  });

  it("reads SHA-1 fingerprints", () => {
    expect(sha1sOf("Certificate #1:\nSHA1 FingerPrint: a609c1\nCertificate #2:\nSHA1 FingerPrint: B00B\n")).toEqual(["A609C1", "B00B"]);
  });

  it("counts the users a commit updated: no dot means nothing changed, another name is no success", () => {
    expect(committedUsers("Committing /d/ca/x.pem.\nSuccess!\n", "/d/ca/x.pem")).toBe(1);
    expect(committedUsers("Committing /d/ca/x.pem\nSuccess!\n", "/d/ca/x.pem")).toBe(0);
    expect(committedUsers("Committing /d/ca/y.pem.\nSuccess!\n", "/d/ca/x.pem")).toBeUndefined();
    expect(committedUsers("Committing /d/ca/x.pem\nError!\n", "/d/ca/x.pem")).toBeUndefined();
  });

  it("refuses an answer about another object (one open transaction answers for the other certificate)", () => {
    expect(() => expectAnswer("n", "set ssl cert /d/b.pem", "Transaction updated for certificate /d/a.pem!", /Transaction (created|updated) for certificate \/d\/b\.pem!/)).toThrow(/HAProxy answered "Transaction updated for certificate \/d\/a\.pem!"/);
  });
});

describe("servers state", () => {
  const header = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";
  const byIp = parseServersState(`${header}3 certform_billing 1 billing 127.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 18997 - 1 0 - - 0\n`)[0];
  const byName = parseServersState(`${header}3 x 1 a 127.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 localhost 443 - 1 0 - - 0\n`)[0];

  it("reads the server's address, name, port and TLS by column name", () => {
    expect(byIp).toEqual({ addr: "127.0.0.1", port: 18997, ssl: true });
    expect(byName).toEqual({ addr: "127.0.0.1", fqdn: "localhost", port: 443, ssl: true });
  });

  it("matches an endpoint URL by scheme, host and port", () => {
    expect(serverMatches(byIp, "https://127.0.0.1:18997/v1")).toBe(true);
    expect(serverMatches(byIp, "https://127.0.0.1:18998/v1")).toBe(false);
    expect(serverMatches(byIp, "http://127.0.0.1:18997")).toBe(false);
    expect(serverMatches(byName, "https://localhost")).toBe(true);
    expect(serverMatches(undefined, "https://localhost")).toBe(false);
  });
});

describe("payloads and sockets", () => {
  it("drops blank lines from a payload: the first empty line ends it", () => {
    expect(payloadOf("\n-----BEGIN CERTIFICATE-----\r\nAAAA\n\n-----END CERTIFICATE-----\n\n")).toBe("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----");
  });

  it("reads unix:// and tcp:// runtime API addresses", () => {
    expect(socketOf("unix:///run/haproxy/admin.sock")).toEqual({ path: "/run/haproxy/admin.sock" });
    expect(socketOf("tcp://127.0.0.1:9999")).toEqual({ host: "127.0.0.1", port: 9999 });
    expect(socketOf("tcp://[::1]:9999")).toEqual({ host: "::1", port: 9999 });
    expect(() => socketOf("http://127.0.0.1:1")).toThrow(/not a runtime API address/);
  });
});
