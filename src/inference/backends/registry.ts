import type { ChatBackend } from "../chat-types.ts";
import { builtinChat } from "./builtin-chat.ts";

/** A model an operator can deploy, and the backend that runs it. */
export interface CatalogModel { format: string; name: string; version: string; modelType: "chat-completions"; provider: string; backend: ChatBackend; backendModel: string }

/** Built-in models, available offline on every installation. */
export const builtinModels: readonly CatalogModel[] = [
  { format: "Keyless", name: "keyless-echo", version: "1", modelType: "chat-completions", provider: "Keyless", backend: builtinChat, backendModel: "keyless-echo" },
];

/** The model a deployment is bound to, exactly by format, name and version. */
export function findModel(format: string, name: string, version: string): CatalogModel | undefined {
  return builtinModels.find((m) => m.format.toLowerCase() === format.toLowerCase() && m.name.toLowerCase() === name.toLowerCase() && m.version === version);
}
