/**
 * What-if for one resource, in ARM's shape: `Create` when there is nothing before, else `Modify` with the
 * property-level `delta` (`Create`/`Delete`/`Modify`/`Array`, with `children` for objects and arrays) or
 * `NoChange`. Only the parts the template sets are compared, as ARM's what-if does for the body the provider
 * returns; read-only paths the executor names (`properties.provisioningState`, `properties.endpoint`, …) are ignored.
 * Locations compare without case and spaces (`East US` = `eastus`).
 */
import { deepEqual, getProperty, isObject } from "./values.ts";

type WhatIfChange = "Create" | "Modify" | "NoChange";

interface WhatIfPropertyChange {
  path: string;
  propertyChangeType: "Create" | "Delete" | "Modify" | "Array" | "NoEffect";
  before?: unknown;
  after?: unknown;
  children?: WhatIfPropertyChange[];
}

interface DiffOptions {
  /** Paths (`properties.provisioningState`) or path prefixes ending in `.*` to leave out of the comparison. */
  ignore?: readonly string[];
}

/** Keys of the top level of a resource that say where it is, not what it is. */
const IDENTITY_KEYS = new Set(["id", "name", "type", "apiversion", "systemdata", "etag"]);

export function diffResource(
  before: unknown,
  after: Record<string, unknown>,
  options: DiffOptions = {},
): { changeType: WhatIfChange; delta: WhatIfPropertyChange[] } {
  if (before === undefined || before === null) return { changeType: "Create", delta: [] };
  const ignore = (options.ignore ?? []).map((p) => p.toLowerCase());
  const ignored = (path: string): boolean => {
    const lower = path.toLowerCase();
    return ignore.some((p) => (p.endsWith(".*") ? lower.startsWith(p.slice(0, -1)) : lower === p));
  };
  const beforeObj = isObject(before) ? before : {};
  const delta: WhatIfPropertyChange[] = [];
  for (const [key, value] of Object.entries(after)) {
    if (IDENTITY_KEYS.has(key.toLowerCase()) || ignored(key)) continue;
    const old = getProperty(beforeObj, key);
    const change = diffValue(key, old.found ? old.value : undefined, old.found, value, ignored, key.toLowerCase() === "location");
    if (change) delta.push(change);
  }
  return { changeType: delta.length === 0 ? "NoChange" : "Modify", delta };
}

function sameLocation(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase().replaceAll(" ", "") === b.toLowerCase().replaceAll(" ", "");
}

function diffValue(
  path: string,
  before: unknown,
  existed: boolean,
  after: unknown,
  ignored: (path: string) => boolean,
  isLocation: boolean,
): WhatIfPropertyChange | undefined {
  if (!existed || before === null || before === undefined) {
    return after === null || after === undefined ? undefined : { path, propertyChangeType: "Create", after };
  }
  if (after === null || after === undefined) return { path, propertyChangeType: "Delete", before };
  if (isLocation && sameLocation(before, after)) return undefined;
  if (isObject(before) && isObject(after)) {
    const children: WhatIfPropertyChange[] = [];
    for (const [key, value] of Object.entries(after)) {
      const childPath = `${path}.${key}`;
      if (ignored(childPath)) continue;
      const old = getProperty(before, key);
      const change = diffValue(key, old.found ? old.value : undefined, old.found, value, (p) => ignored(`${path}.${p}`), false);
      if (change) children.push(change);
    }
    return children.length === 0 ? undefined : { path, propertyChangeType: "Modify", children };
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (deepEqual(before, after)) return undefined;
    const children: WhatIfPropertyChange[] = [];
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      if (i >= after.length) children.push({ path: String(i), propertyChangeType: "Delete", before: before[i] });
      else if (i >= before.length) children.push({ path: String(i), propertyChangeType: "Create", after: after[i] });
      else {
        const change = diffValue(String(i), before[i], true, after[i], () => false, false);
        if (change) children.push(change);
      }
    }
    return { path, propertyChangeType: "Array", children };
  }
  return deepEqual(before, after) ? undefined : { path, propertyChangeType: "Modify", before, after };
}
