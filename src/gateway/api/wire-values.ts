import { z } from "zod";
import { ALIAS_PATTERN, NAME_PATTERN } from "../../model/names.js";

// The values every admin API schema is made of (admin-api.ts, requests-api.ts).

export const Labels = z.record(z.string().min(1).max(128), z.string().max(1024)).default({}).meta({
  id: "Labels",
  description: "Free string map. certform keeps ownership here: certform.dev/stack, certform.dev/address, certform.dev/hash.",
});

export const ObjectName = z.string().regex(NAME_PATTERN, "1 to 64 characters of [A-Za-z0-9._-], starting with a letter or digit");
export const Alias = z.string().regex(ALIAS_PATTERN, "1 to 64 characters of [A-Za-z0-9._-]");
export const Pem = z.string().min(1).max(256 * 1024);
export const Host = z.string().min(1).max(253);
