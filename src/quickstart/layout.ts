// Where the quickstart's processes listen. The admin ports and the backend URL are also written in
// stacks/quickstart.yaml; the listeners are only known here.

export interface QuickstartNode {
  name: string;
  environment: "dev" | "prod";
  adminPort: number;
  listenPort: number;
  /** The environment's domain, as the stack's `domain` variable gives it. */
  domain: string;
}

export const LOOPBACK = "127.0.0.1";
export const STACK_FILE = "stacks/quickstart.yaml";
/** Where the key material and the nodes' stores live; relative to the working directory. */
export const DIR_ENV = "CERTFORM_QUICKSTART_DIR";
export const DEFAULT_DIR = ".certform/quickstart";

export const NODES: readonly QuickstartNode[] = [
  { name: "dev-1", environment: "dev", adminPort: 18081, listenPort: 18443, domain: "dev.quickstart.test" },
  { name: "prod-1", environment: "prod", adminPort: 18091, listenPort: 18493, domain: "quickstart.test" },
  { name: "prod-2", environment: "prod", adminPort: 18092, listenPort: 18494, domain: "quickstart.test" },
];

export const BACKEND_PORT = 18400;
/** The route of endpoints.orders on every listener. */
export const ORDERS_PATH = "/orders";

/** The name served by certificates.api in an environment. */
export const apiHost = (n: QuickstartNode): string => `api.${n.domain}`;
/** Some other name of the environment: served by the generated wildcard. */
export const shopHost = (n: QuickstartNode): string => `shop.${n.domain}`;
