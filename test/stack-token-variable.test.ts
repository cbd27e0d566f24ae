import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStack } from "../src/stack/index.js";
import { HEADER, writeStackDir } from "./support/stack.js";

// The gateway settings reach a provider expanded; the variable a token came from is recorded by
// instantiation, so that a refused token's hint can name it.
describe("the token variable of an environment", () => {
  it("is the ${env:VAR} the gateway token is read from, with or without a default, and nothing for a literal token", async () => {
    const dir = writeStackDir({
      "stack.yaml": `${HEADER}environments:
  dev: { gateway: { type: embedded, nodes: ["http://127.0.0.1:8081"], token: "\${env:DEV_TOKEN}" } }
  test: { gateway: { type: embedded, nodes: ["http://127.0.0.1:8082"], token: "\${env:TEST_TOKEN:-fallback}" } }
  prod: { gateway: { type: embedded, nodes: ["http://127.0.0.1:8083"], token: literal } }
  none: { gateway: { type: embedded, nodes: ["http://127.0.0.1:8084"] } }
`,
    });
    const { state, diagnostics } = await readStack([join(dir, "stack.yaml")], { env: { DEV_TOKEN: "t0ken" }, capture: false });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const byName = new Map(state!.environments.map((e) => [e.name, e]));
    expect(byName.get("dev")!.tokenVariable).toBe("DEV_TOKEN");
    expect(byName.get("dev")!.spec.gateway).toMatchObject({ token: "t0ken" });
    expect(byName.get("test")!.tokenVariable).toBe("TEST_TOKEN");
    expect(byName.get("prod")!.tokenVariable).toBeUndefined();
    expect(byName.get("none")!.tokenVariable).toBeUndefined();
  });
});
