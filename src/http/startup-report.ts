/** What start-up knows about itself: where it listens, its TLS trust, and what bootstrap created. */
interface StartedFacts {
  url: string;
  port: number;
  tls: { caPath: string };
  facts: {
    tenantId: string;
    subscriptionId: string;
    adminUsername: string;
    generatedAdminPassword: string | undefined;
    adminPasswordIgnored?: boolean | undefined;
    demo: { resourceGroup: string; account: string; deployment: string } | undefined;
  };
  /** The Prometheus endpoint, when `metricsPort` is set. */
  metricsUrl: string | undefined;
}

/** What start-up prints: the URLs of every surface, how to trust the CA, and one JSON line for harnesses. */
export function startupReport(running: StartedFacts, storage: string): string {
  const { url, tls, facts } = running;
  const lines = [
    `Keyless is listening on ${url}`,
    `  token service (Entra v2)  ${url}/${facts.tenantId}/v2.0/.well-known/openid-configuration`,
    `  token service (ADFS)      ${url}/adfs/.well-known/openid-configuration`,
    `  ARM                       ${url}/subscriptions/${facts.subscriptionId}`,
    `  Microsoft Graph           ${url}/graph/v1.0`,
    ...(facts.demo
      ? [`  data plane (demo)         ${url}/accounts/${facts.demo.account}/models  (deployment '${facts.demo.deployment}')`]
      : []),
    `  health                    ${url}/healthz  ${url}/readyz`,
    ...(running.metricsUrl ? [`  metrics (Prometheus)      ${running.metricsUrl}`] : []),
    `tenant ${facts.tenantId}, subscription ${facts.subscriptionId}, administrator ${facts.adminUsername}`,
    ...(facts.generatedAdminPassword ? [`Generated administrator password (shown once): ${facts.generatedAdminPassword}`] : []),
    ...(facts.adminPasswordIgnored
      ? [
          `WARNING: the administrator password given (KEYLESS_ADMIN_PASSWORD or --admin-password) is not ${facts.adminUsername}'s in this data dir; it is used only on the first start.`,
          `  Sign in with the password of the first start, change it with 'keyless ad user update --id ${facts.adminUsername} --password NEW', or start on a new data dir.`,
        ]
      : []),
    `Trust the local CA (${tls.caPath}):`,
    `  export NODE_EXTRA_CA_CERTS=${tls.caPath}`,
    `  export REQUESTS_CA_BUNDLE=${tls.caPath}`,
  ];
  const machine = {
    event: "keyless.ready",
    url,
    port: running.port,
    caPath: tls.caPath,
    tenantId: facts.tenantId,
    subscriptionId: facts.subscriptionId,
    adminUsername: facts.adminUsername,
    authorityHost: url,
    armEndpoint: url,
    graphEndpoint: `${url}/graph/`,
    storage: storage.startsWith("postgres") ? "postgres" : "sqlite",
    metricsUrl: running.metricsUrl ?? null,
    demo: facts.demo ? { ...facts.demo, endpoint: `${url}/accounts/${facts.demo.account}/models` } : null,
  };
  return `${lines.join("\n")}\nKEYLESS_READY ${JSON.stringify(machine)}\n`;
}
