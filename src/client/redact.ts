/**
 * What `--debug` may print. Secrets are found by key on the parsed body (JSON or form), never by a pattern over
 * text that a token prefix or an odd spacing slips past; path secrets (the managed-identity endpoint secret) are
 * masked in URLs, and workload settings (`IDENTITY_HEADER=…`) inside strings. Cutting a long body happens after.
 */

const SECRET_KEYS = new Set(
  [
    "password",
    "client_secret",
    "clientSecret",
    "refresh_token",
    "access_token",
    "accessToken",
    "id_token",
    "device_code",
    "code",
    "code_verifier",
    "client_assertion",
    "assertion",
    "secret",
    "secretText",
    "key",
    "key1",
    "key2",
    "identity_header",
    "x-identity-header",
    "authorization",
    "api-key",
  ].map((k) => k.toLowerCase()),
);

const REDACTED = "REDACTED";
const MAX_TRACED = 2000;

/** A JSON value with every secret-named field (at any depth) replaced. */
function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactValue(inner);
    return out;
  }
  return value;
}

/** A URL with its path secrets and secret-named query parameters masked. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  const path = maskPathSecrets(q < 0 ? url : url.slice(0, q));
  return q < 0 ? path : `${path}?${redactForm(url.slice(q + 1))}`;
}

/** A traced request or response body: parsed, redacted by key, re-serialised, then cut. */
export function redactBody(text: string): string {
  return cut(redactBodyWhole(text));
}

function redactBodyWhole(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(redactValue(JSON.parse(text)));
    } catch {
      // Not JSON after all: treat it as text below.
    }
  }
  if (/^[\w.%-]+=[^\s]*$/.test(text)) return redactForm(text);
  return redactText(text);
}

function redactForm(text: string): string {
  const form = new URLSearchParams(text);
  for (const [key, value] of form) form.set(key, SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactText(value));
  return form.toString();
}

/** Free text: workload lines (`IDENTITY_HEADER=…`) and managed-identity URLs inside it. */
function redactText(text: string): string {
  return maskPathSecrets(text.replace(/\b(IDENTITY_HEADER|MSI_SECRET)=\S+/gi, `$1=${REDACTED}`));
}

/** `/managed-identity/{secret}/…` → `/managed-identity/REDACTED/…` (`app-service` is a route, not a secret). */
function maskPathSecrets(text: string): string {
  return text.replace(/(\/managed-identity\/)(?!app-service(?:[/?"\s]|$))[^/?#\s"]+/gi, `$1${REDACTED}`);
}

function cut(text: string): string {
  return text.length > MAX_TRACED ? `${text.slice(0, MAX_TRACED)}…` : text;
}
