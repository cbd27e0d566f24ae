import type { Gateway } from "../model/index.js";
import type { Provider, ProviderFactory, ProviderOptions } from "./provider.js";

/** The gateway settings of one kind: the factory of `embedded` gets the embedded settings, typed. */
type GatewayOf<K extends string> = Extract<Gateway, { type: K }>;

export interface ProviderRegistry {
  /** Adds a kind; a kind registered twice is a programming error, refused rather than silently replaced. */
  register<K extends string>(kind: K, factory: ProviderFactory<GatewayOf<K>>): void;
  /** The provider for an environment's gateway settings (tokens already expanded). */
  providerFor(gateway: Gateway, opts?: ProviderOptions): Provider;
  kinds(): string[];
}

/** A registry of its own: tests get one without touching the process-wide one. */
export function createRegistry(): ProviderRegistry {
  // A Map, not an object literal: a kind named "__proto__" or "constructor" must not find anything.
  const factories = new Map<string, ProviderFactory<never>>();
  return {
    register(kind, factory) {
      if (factories.has(kind)) throw new Error(`a provider of kind "${kind}" is already registered`);
      factories.set(kind, factory as ProviderFactory<never>);
    },
    providerFor(gateway, opts = {}) {
      const factory = factories.get(gateway.type);
      if (!factory) {
        const known = [...factories.keys()].sort();
        throw new Error(
          `no provider for gateway type "${gateway.type}"; known: ${known.length > 0 ? known.join(", ") : "(none)"}` +
            (factories.size === 0 ? " (import src/providers/index.js, which registers the built-in ones)" : ""),
        );
      }
      return (factory as ProviderFactory)(gateway, opts);
    },
    kinds: () => [...factories.keys()].sort(),
  };
}

const registry = createRegistry();

/** Registers a provider kind in the process-wide registry; throws if the kind is already there. */
export const registerProvider: ProviderRegistry["register"] = (kind, factory) => registry.register(kind, factory);

/** The provider for an environment's gateway, from the process-wide registry; throws for an unknown kind, listing the known ones. */
export const providerFor: ProviderRegistry["providerFor"] = (gateway, opts) => registry.providerFor(gateway, opts);

export const providerKinds = (): string[] => registry.kinds();
