// A strict reader of the Prometheus text exposition format 0.0.4, for tests: any line that is not a comment,
// a HELP, a TYPE or a well-formed sample throws, naming the line. Families must be contiguous, each sample
// must belong to the family its TYPE line announced, and a series (name and label set) may appear once.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition does not end with a line feed");
  const families = new Map<string, Family>();
  const series = new Set<string>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const at = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === "") throw new Error(`${at}: empty line`);
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta as unknown as [string, "HELP" | "TYPE", string, string];
      if (!NAME.test(name)) throw new Error(`${at}: bad metric name`);
      let family = families.get(name);
      if (family && family !== current) throw new Error(`${at}: family ${name} is not contiguous`);
      if (!family) {
        family = { name, help: "", type: "untyped", samples: [] };
        families.set(name, family);
        current = family;
      }
      if (what === "HELP") family.help = unescapeHelp(rest, at);
      else {
        if (!TYPES.has(rest)) throw new Error(`${at}: unknown type`);
        if (family.samples.length > 0) throw new Error(`${at}: TYPE after samples`);
        family.type = rest as Family["type"];
      }
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSample(line, at);
    if (!current || current.name !== sample.name) throw new Error(`${at}: sample outside its family's block`);
    const key = `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
    if (series.has(key)) throw new Error(`${at}: duplicate series ${key}`);
    series.add(key);
    current.samples.push(sample);
  });
  return families;
}

function parseSample(line: string, at: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`${at}: not a sample`);
  const labels = m[2] ? parseLabels(m[2].slice(1, -1), at) : {};
  const raw = m[3]!;
  const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : raw === "NaN" ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== "NaN") throw new Error(`${at}: bad value ${raw}`);
  if (!/^(-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]Inf|NaN)$/.test(raw)) throw new Error(`${at}: bad value ${raw}`);
  return { name: m[1]!, labels, value };
}

function parseLabels(body: string, at: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf("=", i);
    if (eq < 0) throw new Error(`${at}: label without =`);
    const name = body.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${at}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${at}: label ${name} twice`);
    if (body[eq + 1] !== '"') throw new Error(`${at}: label value not quoted`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const ch = body[j];
      if (ch === undefined) throw new Error(`${at}: unterminated label value`);
      if (ch === '"') break;
      if (ch === "\n") throw new Error(`${at}: raw line feed in a label value`);
      if (ch === "\\") {
        const next = body[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new Error(`${at}: bad escape \\${next ?? ""}`);
        j += 2;
        continue;
      }
      value += ch;
      j++;
    }
    labels[name] = value;
    i = j + 1;
    if (i < body.length) {
      if (body[i] !== ",") throw new Error(`${at}: expected , between labels`);
      i++;
    }
  }
  return labels;
}

function unescapeHelp(text: string, at: string): string {
  return text.replace(/\\(.?)/g, (_m, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new Error(`${at}: bad escape in HELP`);
  });
}
