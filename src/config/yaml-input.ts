import { closeSync, openSync, readSync } from "node:fs";
import { schema } from "./schema.ts";
import { type Document, isMap, isScalar, type LineCounter, parseDocument, visit, YAMLParseError } from "yaml";

/**
 * Every YAML input Keyless reads (configuration, models, federation, world files) goes through here: its size is
 * capped before parsing, and duplicate keys are found in one pass. The `yaml` package's own duplicate check
 * (`uniqueKeys`) compares each key with every earlier one — quadratic, 85 s for 80,000 keys — so it is off.
 */
/** The `yamlSizeLimit` setting's default: what the configuration file itself and the CLI's world files are held to. */
export const YAML_MAX_BYTES = schema.yamlSizeLimit.default!;

export class YamlInputError extends Error {}

/**
 * Reads a file of at most `maxBytes` bytes as UTF-8. Reads at most one byte more than the cap, so an endless or
 * huge input (`/dev/zero`, a FIFO) is refused at once instead of filling memory.
 */
export function readBoundedText(path: string, maxBytes = YAML_MAX_BYTES): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, 64 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, maxBytes + 1 - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
      if (total > maxBytes) {
        throw new YamlInputError(`'${path}' is larger than ${maxBytes} bytes, the limit for YAML inputs; split it or raise yamlSizeLimit.`);
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Parses YAML text with the size cap and a linear duplicate-key check; errors (syntax, duplicates) are in `doc.errors`. */
export function parseYamlDocument(text: string, options: { lineCounter?: LineCounter; maxBytes?: number } = {}): Document {
  const maxBytes = options.maxBytes ?? YAML_MAX_BYTES;
  if (Buffer.byteLength(text) > maxBytes) {
    throw new YamlInputError(`The YAML input is larger than ${maxBytes} bytes, the limit for YAML inputs.`);
  }
  const doc = parseDocument(text, {
    uniqueKeys: false,
    prettyErrors: false,
    ...(options.lineCounter ? { lineCounter: options.lineCounter } : {}),
  });
  if (doc.errors.length === 0) findDuplicateKeys(doc);
  return doc;
}

/** Parses YAML text to plain values, throwing the first syntax or duplicate-key error. */
export function parseYaml(text: string, maxBytes = YAML_MAX_BYTES): unknown {
  const doc = parseYamlDocument(text, { maxBytes });
  if (doc.errors.length > 0) throw new YamlInputError(doc.errors[0]!.message);
  return doc.toJS();
}

/** Reads and parses a YAML file with the size cap. */
export function readYamlFile(path: string, maxBytes = YAML_MAX_BYTES): unknown {
  return parseYaml(readBoundedText(path, maxBytes), maxBytes);
}

/** One pass over every mapping: a key seen twice in the same mapping is an error at the second key. */
function findDuplicateKeys(doc: Document): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : isMap(pair.key) ? undefined : String(pair.key);
        if (key === undefined) continue;
        if (seen.has(key)) {
          const at = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0;
          doc.errors.push(new YAMLParseError([at, at + key.length], "DUPLICATE_KEY", `Map keys must be unique; '${key}' is repeated`));
        } else {
          seen.add(key);
        }
      }
    },
  });
}
