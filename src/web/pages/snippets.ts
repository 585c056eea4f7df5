import { API_VERSIONS } from "../api.ts";

/** Copy-paste code for one account, signing in with Microsoft Entra ID against this Keyless server. */
export function snippets(at: { origin: string; endpoint: string; deployment: string }) {
  const { origin, endpoint, deployment } = at;
  const version = API_VERSIONS.dataPlane;
  return {
    Python: `from azure.identity import DefaultAzureCredential, get_bearer_token_provider
from openai import AzureOpenAI

credential = DefaultAzureCredential(authority="${origin}", disable_instance_discovery=True)
token_provider = get_bearer_token_provider(credential, "https://cognitiveservices.azure.com/.default")
client = AzureOpenAI(azure_endpoint="${endpoint}", azure_ad_token_provider=token_provider, api_version="${version}")
reply = client.chat.completions.create(model="${deployment}", messages=[{"role": "user", "content": "Hello"}])
print(reply.choices[0].message.content)`,
    JavaScript: `import { DefaultAzureCredential, getBearerTokenProvider } from "@azure/identity";
import { AzureOpenAI } from "openai";

const credential = new DefaultAzureCredential({ authorityHost: "${origin}", disableInstanceDiscovery: true });
const azureADTokenProvider = getBearerTokenProvider(credential, "https://cognitiveservices.azure.com/.default");
const client = new AzureOpenAI({ endpoint: "${endpoint}", azureADTokenProvider, apiVersion: "${version}" });
const reply = await client.chat.completions.create({ model: "${deployment}", messages: [{ role: "user", content: "Hello" }] });
console.log(reply.choices[0].message.content);`,
    "C#": `using Azure.AI.OpenAI;
using Azure.Identity;
using OpenAI.Chat;

var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
{
    AuthorityHost = new Uri("${origin}"),
    DisableInstanceDiscovery = true,
});
var client = new AzureOpenAIClient(new Uri("${endpoint}"), credential);
ChatClient chat = client.GetChatClient("${deployment}");
ChatCompletion reply = chat.CompleteChat("Hello");
Console.WriteLine(reply.Content[0].Text);`,
    REST: `TOKEN=$(az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv)
curl -X POST "${endpoint}openai/deployments/${deployment}/chat/completions?api-version=${version}" \\
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{"messages": [{"role": "user", "content": "Hello"}]}'`,
  };
}
