import { API_VERSIONS, type KeylessClient } from "../../../client/keyless-client.ts";
import { sseEvents } from "../../../client/sse.ts";
import { type Context, command, type OptionValues } from "../../command.ts";

export const options = {
  account: { type: "string", required: true, help: "The Cognitive Services account name." },
  deployment: { type: "string", required: true, help: "The deployment (model) to talk to." },
  system: { type: "string", help: "A system message." },
  "max-tokens": { type: "string", help: "Most tokens to generate per answer." },
  "no-stream": { type: "boolean", help: "Wait for the whole answer and print the response JSON instead of streaming text." },
} as const;

type Message = { role: "system" | "user" | "assistant"; content: string };

export const spec = command({
  path: ["chat"],
  summary: "Chat with a deployment as the signed-in principal: one prompt, or an interactive session without one.",
  options,
  positionals: "[PROMPT]",
  examples: [
    { text: "One question, streamed to the terminal.", command: 'keyless chat --account acct1 --deployment chat "Say hello"' },
    { text: "An interactive session (end with Ctrl-D).", command: "keyless chat --account acct1 --deployment chat" },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const history: Message[] = opts.system ? [{ role: "system", content: opts.system }] : [];
    const ask = (prompt: string) => turn(ctx, client, opts, history, prompt);
    const prompt = opts.positionals.join(" ");
    if (prompt !== "") return ask(prompt);
    if (!ctx.io.readLine) return undefined;
    ctx.warn("Chatting with the deployment; end with Ctrl-D.");
    for (let line = await ctx.io.readLine(); line !== undefined; line = await ctx.io.readLine()) {
      if (line.trim() !== "") await ask(line);
    }
    return undefined;
  },
});

async function turn(
  ctx: Context,
  client: KeylessClient,
  opts: OptionValues<typeof options>,
  history: Message[],
  prompt: string,
): Promise<unknown> {
  history.push({ role: "user", content: prompt });
  const path = `/accounts/${encodeURIComponent(opts.account)}/models/chat/completions`;
  const body = {
    model: opts.deployment,
    messages: [...history],
    ...(opts["max-tokens"] ? { max_tokens: Number(opts["max-tokens"]) } : {}),
  };
  const query = { "api-version": API_VERSIONS.dataPlane };
  if (opts["no-stream"]) {
    const { body: answer } = await client.dataPlane("POST", path, { query, body });
    history.push({
      role: "assistant",
      content: (answer as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? "",
    });
    return answer;
  }
  let text = "";
  for await (const event of sseEvents(await client.stream(path, { ...body, stream: true }, query))) {
    const delta = (event as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
    if (delta) {
      text += delta;
      ctx.io.stdout(delta);
    }
  }
  ctx.io.stdout("\n");
  history.push({ role: "assistant", content: text });
  return undefined;
}
