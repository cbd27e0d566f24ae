import { readInventory, type Inventory } from "../inventory/read-inventory.js";
import { readInventoryStack } from "../inventory/read-stack.js";
import { renderDiagnosticsMarkdown } from "../render/diagnostics-markdown.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { colorsFor, writeJson, type CommonOptions } from "./options.js";

/**
 * The gateways' inventory for expiry and list, or undefined once the stack's errors were shown (in the
 * chosen format). Errors of single resources do not stop a read of the gateways: they are counted on stderr.
 */
export async function inventoryOrErrors(command: string, paths: string[], opts: CommonOptions): Promise<Inventory | undefined> {
  const stack = await readInventoryStack(paths, opts.env);
  if ("errors" in stack) {
    if (opts.format === "json") writeJson({ error: { code: stack.errors[0]?.code ?? "invalid-stack", message: "no gateway was read: the stack has errors" }, errors: stack.errors });
    else if (opts.format === "markdown") process.stdout.write(renderDiagnosticsMarkdown(`certform ${command}: no gateway was read`, stack.errors));
    else process.stdout.write(`${renderDiagnosticsText(stack.errors, colorsFor(opts))}No gateway was read: fix the errors above.\n`);
    return undefined;
  }
  if (stack.skipped.length > 0) {
    process.stderr.write(`note: the stack has ${stack.skipped.length} error${stack.skipped.length === 1 ? "" : "s"} in its resources (run certform validate); the gateways are read all the same.\n`);
  }
  return readInventory(stack.state);
}
