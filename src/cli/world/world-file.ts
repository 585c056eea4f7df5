import { isMap, isScalar, isSeq, LineCounter, type Node } from "yaml";
import { parseYamlDocument, YamlInputError } from "../../config/yaml-input.ts";
import { UsageError } from "../cli-error.ts";

/** A declared world: what `apply -f` and `serve --seed` make exist. Format: docs/seed-file.md. */
export interface World {
  users: { userPrincipalName: string; displayName?: string; password: string; accountEnabled?: boolean }[];
  groups: { displayName: string; mailNickname?: string; description?: string; members?: string[] }[];
  apps: { displayName: string; servicePrincipal?: boolean; secrets?: { displayName: string }[] }[];
  resourceGroups: {
    name: string;
    location: string;
    accounts?: {
      name: string;
      kind?: string;
      sku?: string;
      location?: string;
      disableLocalAuth?: boolean;
      deployments?: { name: string; model: { format: string; name: string; version: string } }[];
    }[];
  }[];
  roleAssignments: { principal: string; role: string; scope: string }[];
}

/** A small structural schema: enough to say, with a line number, what is wrong and what is expected. */
type Shape =
  | { kind: "string"; required?: boolean; pattern?: RegExp; hint?: string }
  | { kind: "boolean"; required?: boolean }
  | { kind: "list"; of: Shape; required?: boolean }
  | { kind: "object"; fields: Record<string, Shape>; required?: boolean };

const str = (required = false, pattern?: RegExp, hint?: string): Shape => ({
  kind: "string",
  required,
  ...(pattern ? { pattern } : {}),
  ...(hint ? { hint } : {}),
});
const bool: Shape = { kind: "boolean" };
const list = (of: Shape): Shape => ({ kind: "list", of });
const object = (fields: Record<string, Shape>, required = false): Shape => ({ kind: "object", fields, required });

const PRINCIPAL = /^(user:|group:|app:)?[^:\s]+.*$/;
const PRINCIPAL_HINT = "a UPN (alice@contoso.keyless), 'group:DISPLAY_NAME' or 'app:DISPLAY_NAME'";

const WORLD: Shape = object({
  users: list(
    object({
      userPrincipalName: str(true, /^[^@\s]+@[^@\s]+$/, "a user principal name such as alice@contoso.keyless"),
      displayName: str(),
      password: str(true),
      accountEnabled: bool,
    }),
  ),
  groups: list(
    object({ displayName: str(true), mailNickname: str(), description: str(), members: list(str(true, PRINCIPAL, PRINCIPAL_HINT)) }),
  ),
  apps: list(object({ displayName: str(true), servicePrincipal: bool, secrets: list(object({ displayName: str(true) })) })),
  resourceGroups: list(
    object({
      name: str(true, /^[-\w._()]{1,90}$/, "1-90 letters, digits, '-', '_', '.', '(' or ')'"),
      location: str(true),
      accounts: list(
        object({
          name: str(true, /^[a-zA-Z0-9][a-zA-Z0-9-]{1,62}$/, "2-64 letters, digits or '-', starting with a letter or digit"),
          kind: str(),
          sku: str(),
          location: str(),
          disableLocalAuth: bool,
          deployments: list(object({ name: str(true), model: object({ format: str(true), name: str(true), version: str(true) }, true) })),
        }),
      ),
    }),
  ),
  roleAssignments: list(
    object({
      principal: str(true, PRINCIPAL, PRINCIPAL_HINT),
      role: str(true),
      scope: str(
        true,
        /^(subscription|\/.+|[^/\s]+(\/[^/\s]+)?)$/,
        "'subscription', 'RESOURCE_GROUP', 'RESOURCE_GROUP/ACCOUNT' or a full resource id",
      ),
    }),
  ),
});

/** Parses and validates a world file; every problem is reported at once as `file:line:column: path: what to change`. */
export function parseWorld(text: string, fileName: string): World {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseYamlDocument>;
  try {
    doc = parseYamlDocument(text, { lineCounter });
  } catch (err) {
    if (err instanceof YamlInputError) throw new UsageError(`The world file '${fileName}' is not valid: ${err.message}`);
    throw err;
  }
  const where = (node: Node | null | undefined) => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  const problems: string[] = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return `${fileName}:${line}:${col}: ${e.message.split("\n")[0]}`;
  });
  if (problems.length === 0) check(doc.contents as Node | null, WORLD, "", where, problems, doc.contents as Node | null);
  if (problems.length > 0) throw new UsageError(`The world file is not valid:\n  ${inFileOrder(problems, fileName).join("\n  ")}`);
  const value = (doc.toJS() ?? {}) as Partial<World>;
  return {
    users: value.users ?? [],
    groups: value.groups ?? [],
    apps: value.apps ?? [],
    resourceGroups: value.resourceGroups ?? [],
    roleAssignments: value.roleAssignments ?? [],
  };
}

/** Problems sorted by line, then column, as an editor lists them. */
function inFileOrder(problems: string[], fileName: string): string[] {
  const position = (p: string) =>
    p
      .slice(fileName.length + 1)
      .split(":", 2)
      .map(Number) as [number, number];
  return [...problems].sort((a, b) => {
    const [la, ca] = position(a);
    const [lb, cb] = position(b);
    return la - lb || ca - cb;
  });
}

function check(
  node: Node | null,
  shape: Shape,
  path: string,
  where: (n: Node | null | undefined) => string,
  problems: string[],
  parent: Node | null,
): void {
  const label = path === "" ? "the document" : path;
  const at = node ?? parent;
  if (node === null || (isScalar(node) && node.value === null)) {
    if (shape.required) problems.push(`${where(at)}: ${label}: required, ${describe(shape)}.`);
    return;
  }
  if (shape.kind === "string" || shape.kind === "boolean") {
    const value = isScalar(node) ? node.value : undefined;
    if (shape.kind === "boolean" && typeof value !== "boolean") problems.push(`${where(node)}: ${label}: expected true or false.`);
    if (shape.kind === "string") {
      if (typeof value !== "string" && typeof value !== "number") problems.push(`${where(node)}: ${label}: expected a string.`);
      else if (shape.pattern && !shape.pattern.test(String(value)))
        problems.push(`${where(node)}: ${label}: '${value}' is not ${shape.hint ?? "valid"}.`);
    }
    return;
  }
  if (shape.kind === "list") {
    if (!isSeq(node)) return void problems.push(`${where(node)}: ${label}: expected a list (lines starting with '- ').`);
    for (const [i, item] of node.items.entries()) check(item as Node | null, shape.of, `${path}[${i}]`, where, problems, node);
    return;
  }
  if (!isMap(node)) return void problems.push(`${where(node)}: ${label}: expected a mapping (key: value lines).`);
  const known = Object.keys(shape.fields);
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!known.includes(key))
      problems.push(
        `${where(pair.key as Node)}: ${path === "" ? "" : `${path}.`}${key}: unknown key; expected one of ${known.join(", ")}.`,
      );
  }
  for (const [key, fieldShape] of Object.entries(shape.fields)) {
    const child = node.get(key, true) as Node | undefined;
    check(child ?? null, fieldShape, path === "" ? key : `${path}.${key}`, where, problems, node);
  }
}

function describe(shape: Shape): string {
  if (shape.kind === "string") return shape.hint ? `${shape.hint}` : "a string";
  if (shape.kind === "boolean") return "true or false";
  if (shape.kind === "list") return "a list";
  return `a mapping with ${Object.entries(shape.fields)
    .filter(([, s]) => s.required)
    .map(([k]) => k)
    .join(", ")}`;
}
