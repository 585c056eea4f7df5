import type { Config } from "../../config/schema.ts";
import type { AccountView, DeploymentView } from "../data-plane.ts";
import { builtinClassifier } from "./builtin-classifier.ts";
import { moderationClassifier } from "./moderation-classifier.ts";
import type { ContentPolicy } from "./policy.ts";
import type { ContentFilter } from "./screen.ts";
import type { ContentClassifier } from "./types.ts";

export { filterChatStream, filterCompletion } from "./filter-stream.ts";
export { type ContentFilter, promptFilteredError, screenTexts } from "./screen.ts";

/** The classifier the settings choose: an external moderation endpoint (`contentModerationUrl`), else the built-in one. */
export function openClassifier(
  config: Pick<
    Config,
    | "contentModerationUrl"
    | "contentModerationApiKey"
    | "contentModerationModel"
    | "contentModerationTimeoutMs"
    | "contentModerationFailOpen"
  >,
  onFailure: (err: unknown) => void,
): ContentClassifier & { close?(): Promise<void> } {
  if (!config.contentModerationUrl) return builtinClassifier;
  return moderationClassifier({
    url: config.contentModerationUrl,
    apiKey: config.contentModerationApiKey,
    model: config.contentModerationModel,
    timeoutMs: config.contentModerationTimeoutMs,
    failure: config.contentModerationFailOpen ? "open" : "closed",
    onFailure,
  });
}

/** A deployment's filter: its policy (looked up and compiled, cached) with the classifier. */
export function contentFilterLookup(
  findPolicy: (account: AccountView, name: string) => Promise<ContentPolicy | undefined>,
  classifier: ContentClassifier,
) {
  return async (account: AccountView, deployment: DeploymentView): Promise<ContentFilter | undefined> => {
    const policy = (await findPolicy(account, deployment.raiPolicyName)) ?? (await findPolicy(account, "Microsoft.DefaultV2"));
    return policy && { policy, classifier };
  };
}
