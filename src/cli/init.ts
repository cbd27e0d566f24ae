import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { EXAMPLE_STACK, GITIGNORE_LINES } from "./templates/example-stack.js";

export function registerInit(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("init")
    .description("scaffold a stack repository")
    .argument("[dir]", "where to create it", ".")
    .action(async (dir: string) => {
      // Loaded on use: the schemas pull in the whole zod model.
      const { PUBLISHED_SCHEMAS, renderJsonSchema } = await import("../schemas/published-schemas.js");
      const say = (what: string, file: string) => process.stdout.write(`${what.padEnd(8)} ${relative(process.cwd(), file) || file}\n`);
      mkdirSync(join(dir, "stacks"), { recursive: true });
      mkdirSync(join(dir, "schemas"), { recursive: true });

      const stack = join(dir, "stacks", "example.yaml");
      if (existsSync(stack)) say("kept", stack);
      else {
        writeFileSync(stack, EXAMPLE_STACK);
        say("created", stack);
      }
      // The schema is refreshed on every init so that editor completion follows the installed certform.
      const schema = join(dir, "schemas", "stack.schema.json");
      writeFileSync(schema, renderJsonSchema(PUBLISHED_SCHEMAS["stack.schema.json"]!));
      say("wrote", schema);

      const gitignore = join(dir, ".gitignore");
      const existing = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : "";
      const have = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
      const missing = GITIGNORE_LINES.filter((l) => !have.has(l));
      if (missing.length > 0) {
        writeFileSync(gitignore, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${missing.join("\n")}\n`);
        say(existing ? "updated" : "created", gitignore);
      }
      process.stdout.write(`\nNext: edit ${relative(process.cwd(), stack) || stack}, then run: certform validate ${relative(process.cwd(), join(dir, "stacks")) || "stacks"}\n`);
      setExit(EXIT.ok);
    });
}
