import { type ChatMessage, messageText } from "../inference/chat-types.ts";
import { type ContentFilter, promptFilteredError, screenTexts } from "../inference/content-filter/index.ts";
import type { Screened } from "../inference/content-filter/types.ts";
import type { AccountView, DeploymentView } from "../inference/data-plane.ts";
import type { CallContext } from "./data-plane-call.ts";
import type { Services } from "./services.ts";

/** A call's content filter and its prompt's verdict, for annotating the answer. */
export interface PromptScreening {
  filter: ContentFilter;
  prompt: Screened[];
}

/**
 * The content-filter step of a chat or completions call: screens the prompt (every message's text, as one prompt)
 * by the deployment's policy, and fails the call with Azure's 400 `content_filter` when a blocking rule fires.
 * Undefined when the data plane filters nothing (no filter wired).
 */
export async function screenPrompt(
  services: Services,
  call: CallContext,
  account: AccountView,
  deployment: DeploymentView,
  messages: readonly ChatMessage[],
  signal?: AbortSignal,
): Promise<PromptScreening | undefined> {
  const filter = await services.dataPlane.contentFilterFor?.(account, deployment);
  if (!filter) return undefined;
  const prompt = await call.trace.step("keyless.content_filter", () =>
    screenTexts(filter, "prompt", [messages.map(messageText).join("\n")], signal),
  );
  if (prompt[0]?.filtered) throw promptFilteredError(prompt[0]);
  return { filter, prompt };
}
