import type { CommandSpec, OptionSpecs } from "./command.ts";
import { GLOBAL_OPTIONS } from "./parse.ts";

/** `-h` for one command: usage, summary, its arguments, the global arguments and examples. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [
    "",
    "Command",
    `    keyless ${spec.path.join(" ")} : ${spec.summary}`,
    "",
    ...optionSection("Arguments", spec.options),
    ...optionSection("Global Arguments", GLOBAL_OPTIONS),
    "Examples",
    ...spec.examples.flatMap((e) => [`    ${e.text}`, `        ${e.command}`, ""]),
  ];
  return `${lines.join("\n")}\n`;
}

function optionSection(title: string, options: OptionSpecs): string[] {
  const entries = Object.entries(options);
  if (entries.length === 0) return [];
  return [
    title,
    ...entries.map(([name, o]) => {
      const flag = `--${name}${o.short ? ` -${o.short}` : ""}${o.required ? " [Required]" : ""}`;
      const choices = o.choices ? ` Allowed values: ${o.choices.join(", ")}.` : "";
      return `    ${flag.padEnd(36)} : ${o.help}${choices}`;
    }),
    "",
  ];
}

/** `-h` for a group (`keyless role -h`): the subgroups and commands under it. */
export function groupHelp(prefix: readonly string[], table: readonly CommandSpec[]): string {
  const below = table.filter((c) => prefix.every((word, i) => c.path[i] === word) && c.path.length > prefix.length);
  const subgroups = [...new Set(below.filter((c) => c.path.length > prefix.length + 1).map((c) => c.path[prefix.length]!))].sort();
  const commands = below.filter((c) => c.path.length === prefix.length + 1).sort((a, b) => a.path.at(-1)!.localeCompare(b.path.at(-1)!));
  const lines = [
    "",
    "Group",
    `    keyless${prefix.length ? ` ${prefix.join(" ")}` : ""}`,
    "",
    ...(subgroups.length ? ["Subgroups:", ...subgroups.map((s) => `    ${s}`), ""] : []),
    ...(commands.length ? ["Commands:", ...commands.map((c) => `    ${c.path.at(-1)!.padEnd(20)} : ${c.summary}`), ""] : []),
    `Run 'keyless ${[...prefix, "<command>"].join(" ")} -h' for a command's options and examples.`,
  ];
  return `${lines.join("\n")}\n`;
}
