// The providers' entry point: importing it registers the built-in kinds. Import from here, not from
// registry.ts, or `providerFor` will know none of them.
import { createEmbeddedProvider } from "./embedded/index.js";
import { createHaproxyProvider } from "./haproxy/index.js";
import { registerProvider } from "./registry.js";

registerProvider("embedded", createEmbeddedProvider);
registerProvider("haproxy", createHaproxyProvider);

export { createRegistry, providerFor, providerKinds, registerProvider, type ProviderRegistry } from "./registry.js";
export { createEmbeddedProvider } from "./embedded/index.js";
export { createHaproxyProvider } from "./haproxy/index.js";
export * from "./provider.js";
