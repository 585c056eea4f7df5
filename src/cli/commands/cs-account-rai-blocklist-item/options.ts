import { raiBlocklistPath } from "../../arm-paths.ts";
import { accountOptions } from "../cs-account/options.ts";

/** The options naming a blocklist, which every `rai-blocklist item` verb takes. */
export const blocklistOptions = {
  ...accountOptions,
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
} as const;

/** The options naming one item (`show`, `delete`). */
export const itemOptions = {
  ...blocklistOptions,
  "item-name": { type: "string", required: true, help: "The item name." },
} as const;

/** The blocklist's ARM path. */
export function blocklistPath(subscriptionId: string, opts: { name: string; "resource-group": string; "blocklist-name": string }): string {
  return raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]);
}

/** One item's ARM path. */
export function itemPath(
  subscriptionId: string,
  opts: { name: string; "resource-group": string; "blocklist-name": string; "item-name": string },
): string {
  return `${blocklistPath(subscriptionId, opts)}/raiBlocklistItems/${encodeURIComponent(opts["item-name"])}`;
}
