import { Button, Dropdown, Field, Option, Radio, RadioGroup, Textarea } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm, call, stream } from "../api.ts";
import type { Account, Deployment } from "../arm-types.ts";
import { CodeBlock, ErrorBar } from "../components.tsx";

interface ChatChunk {
  choices: { delta?: { content?: string } }[];
}

/** Chat (streamed) and embeddings against one deployment, as the signed-in user: RBAC decides, as for any caller. */
export function Playground(props: { account: Account }) {
  const { account } = props;
  const deployments = useQuery({
    queryKey: ["deployments", account.id],
    queryFn: () => arm.list<Deployment>(`${account.id}/deployments`, API_VERSIONS.cognitive),
  });
  const [deployment, setDeployment] = useState("");
  const [mode, setMode] = useState<"chat" | "embeddings">("chat");
  const [prompt, setPrompt] = useState("Hello!");
  const [answer, setAnswer] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const chosen = deployment || deployments.data?.[0]?.name || "";
  const base = `/accounts/${account.name}/openai/deployments/${chosen}`;
  const query = `?api-version=${API_VERSIONS.dataPlane}`;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    setAnswer("");
    try {
      if (mode === "chat") {
        let text = "";
        for await (const chunk of stream<ChatChunk>(`${base}/chat/completions${query}`, {
          messages: [{ role: "user", content: prompt }],
          stream: true,
        })) {
          text += chunk.choices[0]?.delta?.content ?? "";
          setAnswer(text);
        }
      } else {
        const result = await call<{ data: { embedding: number[] }[] }>("data", `${base}/embeddings${query}`, {
          method: "POST",
          body: { input: prompt },
        });
        const vector = result.data[0]?.embedding ?? [];
        setAnswer(
          `${vector.length} dimensions: [${vector
            .slice(0, 8)
            .map((v) => v.toFixed(4))
            .join(", ")}, …]`,
        );
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      style={{ display: "flex", flexDirection: "column", gap: 12, maxWidth: 760 }}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <div style={{ display: "flex", gap: 16, flexWrap: "wrap", alignItems: "end" }}>
        <Field label="Deployment">
          <Dropdown value={chosen} selectedOptions={chosen ? [chosen] : []} onOptionSelect={(_e, d) => setDeployment(d.optionValue ?? "")}>
            {(deployments.data ?? []).map((d) => (
              <Option key={d.name} value={d.name}>
                {d.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <RadioGroup layout="horizontal" value={mode} onChange={(_e, d) => setMode(d.value as typeof mode)} aria-label="Operation">
          <Radio value="chat" label="Chat" />
          <Radio value="embeddings" label="Embeddings" />
        </RadioGroup>
      </div>
      <Field label={mode === "chat" ? "Message" : "Input text"}>
        <Textarea value={prompt} onChange={(_e, d) => setPrompt(d.value)} resize="vertical" />
      </Field>
      <Button type="submit" appearance="primary" disabled={busy || !chosen} style={{ alignSelf: "start" }}>
        {mode === "chat" ? "Send" : "Embed"}
      </Button>
      <ErrorBar error={error} />
      {answer ? <CodeBlock code={answer} label="Answer" /> : null}
    </form>
  );
}
