/**
 * API versions our clients send, the ones `az` 2.45 sends where it has one. A file of its own, importing nothing,
 * so the browser portal (src/web) shares it with the CLI.
 */
export const API_VERSIONS = {
  resources: "2021-04-01",
  subscriptions: "2019-11-01",
  roleAssignments: "2020-04-01-preview",
  roleDefinitions: "2018-01-01-preview",
  cognitive: "2022-12-01",
  /** Content filtering (raiPolicies, raiBlocklists): newer than az 2.45, which has no commands for them. */
  rai: "2024-10-01",
  identity: "2023-01-31",
  dataPlane: "2024-05-01-preview",
  activityLog: "2015-04-01",
} as const;
