import { createHash } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { SealedBox } from "../core/sealed-box.ts";
import type { KeyStore } from "../storage/key-store.ts";

export interface SigningKey { kid: string; privateKey: CryptoKey; publicJwk: JWK }

/**
 * RS256 signing keys, shared by every node through storage (private halves sealed with the master key).
 * The newest unretired key signs; every unretired key is published so tokens survive a rotation.
 */
export interface KeyRing {
  active(): SigningKey;
  /** Public keys by kid, for validating incoming tokens. */
  publicKey(kid: string): CryptoKey | undefined;
  jwks(): { keys: JWK[] };
  reload(): Promise<void>;
}

export async function openKeyRing(store: KeyStore, box: SealedBox): Promise<KeyRing> {
  let keys: SigningKey[] = [];
  let publicKeys = new Map<string, CryptoKey>();

  async function reload(): Promise<void> {
    let records = (await store.listSigningKeys()).filter((k) => k.retiredAt === null);
    if (records.length === 0) {
      await store.insertSigningKey(await newKeyRecord(box));
      records = (await store.listSigningKeys()).filter((k) => k.retiredAt === null);
    }
    keys = await Promise.all(
      records.map(async (r) => ({
        kid: r.kid,
        privateKey: (await importJWK(JSON.parse(box.open(r.sealedPrivateJwk)) as JWK, "RS256")) as CryptoKey,
        publicJwk: JSON.parse(r.publicJwk) as JWK,
      })),
    );
    publicKeys = new Map(await Promise.all(keys.map(async (k) => [k.kid, (await importJWK(k.publicJwk, "RS256")) as CryptoKey] as const)));
  }

  await reload();
  return {
    active: () => keys[keys.length - 1]!,
    publicKey: (kid) => publicKeys.get(kid),
    jwks: () => ({ keys: keys.map((k) => k.publicJwk) }),
    reload,
  };
}

async function newKeyRecord(box: SealedBox) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // Entra uses the key thumbprint as kid and repeats it as x5t.
  const kid = createHash("sha256").update(`${publicJwk.n}.${publicJwk.e}`).digest("base64url").slice(0, 27);
  const published: JWK = { ...publicJwk, kty: "RSA", use: "sig", kid, x5t: kid, alg: "RS256" };
  return {
    kid,
    sealedPrivateJwk: box.seal(JSON.stringify(await exportJWK(privateKey))),
    publicJwk: JSON.stringify(published),
    createdAt: new Date().toISOString(),
    retiredAt: null,
  };
}
