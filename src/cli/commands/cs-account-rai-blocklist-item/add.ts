import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { readJsonArray } from "../../rai-json.ts";
import { blocklistOptions, blocklistPath } from "./options.ts";

export const options = {
  ...blocklistOptions,
  "item-name": { type: "string", help: "The item name (one item)." },
  pattern: { type: "string", help: "The term, or a regular expression with --regex (one item)." },
  regex: { type: "boolean", help: "The pattern is a regular expression." },
  items: {
    type: "string",
    help: 'Several items at once, JSON array or @file: [{"name":"i1","properties":{"pattern":"…","isRegex":false}}, …].',
  },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "item", "add"],
  summary: "Add items (terms or regular expressions) to a blocklist.",
  options,
  examples: [
    {
      text: "Block a phrase.",
      command:
        "keyless cognitiveservices account rai-blocklist item add -n acct1 -g rg-ai --blocklist-name codenames --item-name falcon --pattern 'Project Falcon'",
    },
    {
      text: "Add items from a file (at most raiBlocklistBatchMaxItems per call).",
      command: "keyless cognitiveservices account rai-blocklist item add -n acct1 -g rg-ai --blocklist-name codenames --items @items.json",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const list = blocklistPath(subscriptionId, opts);
    const query = { "api-version": API_VERSIONS.rai };
    if (opts.items) {
      if (opts["item-name"] || opts.pattern) throw new UsageError("use either --items or --item-name with --pattern, not both.");
      return (await client.arm("POST", `${list}/addRaiBlocklistItems`, { query, body: readJsonArray("items", opts.items) })).body;
    }
    if (!opts["item-name"] || !opts.pattern)
      throw new UsageError("the following arguments are required: --item-name, --pattern (or --items).");
    return (
      await client.arm("PUT", `${list}/raiBlocklistItems/${encodeURIComponent(opts["item-name"])}`, {
        query,
        body: { properties: { pattern: opts.pattern, isRegex: opts.regex === true } },
      })
    ).body;
  },
});
