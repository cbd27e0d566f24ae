import { RESOURCE_KINDS } from "../model/index.js";
import type { ListedObject, ListReport } from "../model/list-report.js";
import type { LiveObject } from "../providers/provider.js";
import { kindOf, mergeNodes, ownershipOf } from "./objects.js";
import type { Inventory } from "./read-inventory.js";

/** `certform list`: every object of every node, owned or not, by environment, kind and name. */
export function listReport(inv: Inventory): ListReport {
  const objects: ListedObject[] = [];
  for (const env of inv.environments) {
    const read = env.read.map((n) => n.node);
    const listed = mergeNodes(env.read).map(({ object, nodes }): ListedObject => {
      const own = ownershipOf(object);
      const fields = object.fields;
      return {
        environment: env.name,
        kind: kindOf(object),
        name: object.name,
        owner: own.owner,
        address: own.address,
        fingerprint: typeof fields.fingerprint256 === "string" ? fields.fingerprint256 : typeof fields.kid === "string" ? fields.kid : null,
        hosts: Array.isArray(fields.hosts) ? (fields.hosts as string[]) : [],
        notAfter: typeof fields.notAfter === "string" ? fields.notAfter : null,
        detail: detailOf(object),
        nodes,
        missingFrom: read.filter((n) => !nodes.includes(n)),
      };
    });
    listed.sort((a, b) => RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind) || a.name.localeCompare(b.name) || a.nodes.join().localeCompare(b.nodes.join()));
    objects.push(...listed);
  }
  return {
    format_version: "1",
    stack: inv.stack,
    environments: inv.environments.map((e) => ({ name: e.name, nodes: e.nodes.map((node) => ({ node, revision: e.read.find((r) => r.node === node)?.revision ?? null })) })),
    objects,
    problems: inv.problems,
  };
}

/** What the object is, in a few words, from the fields every view has. */
function detailOf(o: LiveObject): string {
  const f = o.fields;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (o.collection) {
    case "certificates":
      return [str(f.subject), f.generated === true ? "generated" : "", f.default === true ? "default" : ""].filter(Boolean).join(", ");
    case "trusted":
      return str(f.subject);
    case "endpoints":
      return `${str(f.url)} at ${str(f.path)}`;
    case "trust": {
      const target = f.endpoint ? `endpoint ${str(f.endpoint)}` : `scope ${str(f.scope)}`;
      const clients = f.scope === "clients" ? ` (clients${f.endpoint ? ` of endpoint ${str(f.endpoint)}` : ""}${f.required === false ? ", optional" : ""})` : "";
      return f.scope === "clients" ? `trusts ${str(f.alias)}${clients}` : `trusts ${str(f.alias)} for ${target}`;
    }
    case "jwks": {
      const source = f.source as { certificate?: string; trusted?: string } | null | undefined;
      const from = source?.certificate ? `from certificate ${source.certificate}` : source?.trusted ? `from trusted ${source.trusted}` : "standalone";
      return `${str(f.use)} key ${from}`;
    }
  }
}
