import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { NAME_PATTERN } from "../model/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { mergePackageJson } from "./init-package-json.js";
import { exampleStack, GITIGNORE_LINES } from "./templates/example-stack.js";

interface InitOptions {
  name?: string;
  ci?: boolean;
}

// The workflow `init --ci` writes is the example that test/example-ci.test.ts runs; it ships in the package.
const CI_WORKFLOW = join(import.meta.dirname, "..", "..", "examples", "ci", "certform.yml");

/** The stack's name from the directory's name: its characters outside [A-Za-z0-9._-] become "-". */
export function stackNameFor(dir: string): string {
  const name = basename(resolve(dir)).replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64);
  return NAME_PATTERN.test(name) ? name : "my-gateways";
}

export function registerInit(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("init")
    .description("scaffold a stack repository")
    .argument("[dir]", "where to create it", ".")
    .option("--name <name>", "the stack's name (default: the directory's name)")
    .option("--ci", "also write .github/workflows/certform.yml (plan on pull requests, apply on merge)")
    .action(async (dir: string, opts: InitOptions) => {
      const name = opts.name ?? stackNameFor(dir);
      if (!NAME_PATTERN.test(name)) {
        process.stderr.write(`error: --name ${JSON.stringify(name)} is not a stack name\n  hint: 1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit\n`);
        setExit(EXIT.error);
        return;
      }
      // Loaded on use: the schemas pull in the whole zod model.
      const { PUBLISHED_SCHEMAS, renderJsonSchema } = await import("../schemas/published-schemas.js");
      const shown = (file: string) => relative(process.cwd(), file) || file;
      const say = (what: string, file: string) => process.stdout.write(`${what.padEnd(8)} ${shown(file)}\n`);
      mkdirSync(join(dir, "stacks"), { recursive: true });
      mkdirSync(join(dir, "schemas"), { recursive: true });

      const pkg = join(dir, "package.json");
      const merged = mergePackageJson(pkg, name);
      if (typeof merged === "object") {
        process.stderr.write(`error: ${merged.error}\n`);
        setExit(EXIT.error);
        return;
      }
      say(merged, pkg);

      const stack = join(dir, "stacks", "example.yaml");
      if (existsSync(stack)) say("kept", stack);
      else {
        writeFileSync(stack, exampleStack(name));
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

      if (opts.ci) {
        const workflow = join(dir, ".github", "workflows", "certform.yml");
        if (existsSync(workflow)) say("kept", workflow);
        else {
          mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
          copyFileSync(CI_WORKFLOW, workflow);
          say("created", workflow);
        }
      }
      const into = relative(process.cwd(), resolve(dir));
      const cd = into ? `cd ${/\s/.test(into) ? JSON.stringify(into) : into} && ` : "";
      process.stdout.write(`\nNext: edit ${shown(stack)}, then run: ${cd}npm install && npm run validate\n`);
      setExit(EXIT.ok);
    });
}
