/** The options naming a Cognitive Services account, which every `cognitiveservices account …` verb takes. */
export const accountOptions = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;
