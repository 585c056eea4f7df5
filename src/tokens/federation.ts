import { dirname, resolve } from "node:path";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { readBoundedText, readYamlFile } from "../config/yaml-input.ts";
import { type ResourceKind, resourceAudiences } from "./audiences.ts";
import type { IssuerKeys } from "./issuer-keys.ts";

/** One external identity provider whose tokens Keyless accepts, and how its subjects become our principals. */
export interface FederatedIssuer {
  issuer: string;
  keys: () => Promise<JWTVerifyGetKey>;
  /** The provider's audience → which of our resources a token for it may be used on. */
  audiences: ReadonlyMap<string, ResourceKind>;
  subjectClaim: string;
  /** External subject (value of `subjectClaim`) → Keyless principal object id. */
  principals: ReadonlyMap<string, string>;
  /** The Keyless tenant the mapped principals live in (the default tenant unless the file says otherwise). */
  tenantId: string;
}

export interface Federation {
  find(issuer: string): FederatedIssuer | undefined;
}

export const noFederation: Federation = { find: () => undefined };

/** A mistake in the federation file: start-up stops with it (exit 2), as with any other bad setting. */
export class FederationFileError extends Error {}

interface IssuerEntry {
  issuer?: unknown;
  discoveryUrl?: unknown;
  jwksFile?: unknown;
  audiences?: unknown;
  subjectClaim?: unknown;
  principals?: unknown;
  tenantId?: unknown;
}

/**
 * Reads the federation file. Keys come from a JWKS file (air-gapped sites) or from the issuer's discovery
 * document, fetched on first use and cached. Mistakes in the file stop start-up with the entry named.
 */
export function loadFederation(path: string, remote: IssuerKeys, defaultTenantId: string, yamlSizeLimit?: number): Federation {
  try {
    return readFederation(path, remote, defaultTenantId, yamlSizeLimit);
  } catch (err) {
    if (err instanceof FederationFileError) throw err;
    const message = (err as Error).message;
    throw new FederationFileError(message.includes(path) ? message : `${path}: ${message}`);
  }
}

function readFederation(path: string, remote: IssuerKeys, defaultTenantId: string, yamlSizeLimit?: number): Federation {
  const document = readYamlFile(path, yamlSizeLimit) as { issuers?: unknown } | null;
  if (!document || !Array.isArray(document.issuers)) throw new FederationFileError(`${path}: expected a top-level 'issuers:' list.`);
  const issuers = new Map<string, FederatedIssuer>();
  for (const [index, raw] of (document.issuers as IssuerEntry[]).entries()) {
    const where = `${path}: issuers[${index}]`;
    const entry = parseEntry(raw, where, dirname(resolve(path)), remote, defaultTenantId);
    if (issuers.has(entry.issuer)) throw new FederationFileError(`${where}: issuer '${entry.issuer}' is listed twice.`);
    issuers.set(entry.issuer, entry);
  }
  return { find: (issuer) => issuers.get(issuer) };
}

function parseEntry(raw: IssuerEntry, where: string, baseDir: string, remote: IssuerKeys, defaultTenantId: string): FederatedIssuer {
  if (typeof raw.issuer !== "string" || !/^https:\/\/\S+$/.test(raw.issuer))
    throw new FederationFileError(`${where}: 'issuer' must be an https URL.`);
  const issuer = raw.issuer;
  const audiences = new Map<string, ResourceKind>();
  if (typeof raw.audiences !== "object" || raw.audiences === null)
    throw new FederationFileError(`${where}: 'audiences' must map each accepted audience to arm, graph or cognitive.`);
  for (const [audience, kind] of Object.entries(raw.audiences)) {
    if (!(typeof kind === "string" && kind in resourceAudiences))
      throw new FederationFileError(`${where}: audience '${audience}' must map to arm, graph or cognitive, not '${String(kind)}'.`);
    audiences.set(audience, kind as ResourceKind);
  }
  const principals = new Map<string, string>(
    Object.entries((raw.principals ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v).toLowerCase()]),
  );
  let keys: () => Promise<JWTVerifyGetKey>;
  if (typeof raw.jwksFile === "string") {
    const jwks = JSON.parse(readBoundedText(resolve(baseDir, raw.jwksFile))) as JSONWebKeySet;
    if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new FederationFileError(`${where}: jwksFile holds no keys.`);
    const local = createLocalJWKSet(jwks);
    keys = async () => local;
  } else if (typeof raw.discoveryUrl === "string") {
    const discoveryUrl = raw.discoveryUrl;
    keys = () => remote.keysFor(issuer, discoveryUrl);
  } else {
    keys = () => remote.keysFor(issuer);
  }
  return {
    issuer,
    keys,
    audiences,
    principals,
    subjectClaim: typeof raw.subjectClaim === "string" ? raw.subjectClaim : "sub",
    tenantId: typeof raw.tenantId === "string" ? raw.tenantId : defaultTenantId,
  };
}
