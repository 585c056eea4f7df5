import { createHash } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { type Clock, systemClock, nowIso } from "../core/clock.ts";
import type { SealedBox } from "../core/sealed-box.ts";
import type { KeyStore } from "../storage/key-store.ts";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  createdAt: number;
}

/**
 * Scheduled rotation with overlap: a new key is published `publishLeadMs` before it signs (relying parties that
 * cache our JWKS see it first), and an old key stays published `retireAfterMs` after it stopped signing (its
 * tokens stay valid until they expire).
 */
export interface RotationPolicy {
  rotateAfterMs: number;
  publishLeadMs: number;
  retireAfterMs: number;
}

export function rotationPolicy(rotationDays: number, tokenLifetimeSeconds: number): RotationPolicy {
  return { rotateAfterMs: rotationDays * 86_400_000, publishLeadMs: 86_400_000, retireAfterMs: (tokenLifetimeSeconds + 600) * 1000 };
}

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

export async function openKeyRing(store: KeyStore, box: SealedBox, clock: Clock = systemClock, policy?: RotationPolicy): Promise<KeyRing> {
  let keys: SigningKey[] = [];
  let publicKeys = new Map<string, CryptoKey>();

  async function reload(): Promise<void> {
    let records = (await store.listSigningKeys()).filter((k) => k.retiredAt === null);
    if (records.length === 0) {
      await store.insertSigningKey(await newKeyRecord(box, nowIso(clock)));
      records = (await store.listSigningKeys()).filter((k) => k.retiredAt === null);
    }
    keys = await Promise.all(
      records.map(async (r) => ({
        kid: r.kid,
        privateKey: (await importJWK(JSON.parse(box.open(r.sealedPrivateJwk)) as JWK, "RS256")) as CryptoKey,
        publicJwk: JSON.parse(r.publicJwk) as JWK,
        createdAt: Date.parse(r.createdAt),
      })),
    );
    publicKeys = new Map(await Promise.all(keys.map(async (k) => [k.kid, (await importJWK(k.publicJwk, "RS256")) as CryptoKey] as const)));
  }

  await reload();
  return {
    // The newest key past its publication lead signs; a lone new key (first start) signs at once.
    active: () => {
      const lead = policy?.publishLeadMs ?? 0;
      const ready = keys.filter((k) => k.createdAt + lead <= clock.now());
      return ready[ready.length - 1] ?? keys[0]!;
    },
    publicKey: (kid) => publicKeys.get(kid),
    jwks: () => ({ keys: keys.map((k) => k.publicJwk) }),
    reload,
  };
}

/** One rotation step: add a key when the newest is due, retire keys whose successor has signed long enough. */
export async function rotateSigningKeys(
  store: KeyStore,
  box: SealedBox,
  clock: Clock,
  policy: RotationPolicy,
): Promise<{ added: string | undefined; retired: string[] }> {
  const live = (await store.listSigningKeys())
    .filter((k) => k.retiredAt === null)
    .map((k) => ({ kid: k.kid, createdAt: Date.parse(k.createdAt) }));
  const now = clock.now();
  let added: string | undefined;
  const newest = live[live.length - 1];
  if (!newest || now - newest.createdAt >= policy.rotateAfterMs) {
    const record = await newKeyRecord(box, new Date(now).toISOString());
    await store.insertSigningKey(record);
    added = record.kid;
  }
  const signing = live.filter((k) => k.createdAt + policy.publishLeadMs <= now);
  const active = signing[signing.length - 1];
  const retired: string[] = [];
  if (active && now - (active.createdAt + policy.publishLeadMs) >= policy.retireAfterMs) {
    for (const old of live.filter((k) => k.createdAt < active.createdAt)) {
      await store.retireSigningKey(old.kid, new Date(now).toISOString());
      retired.push(old.kid);
    }
  }
  return { added, retired };
}

async function newKeyRecord(box: SealedBox, createdAt = new Date().toISOString()) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // Entra uses the key thumbprint as kid and repeats it as x5t.
  const kid = createHash("sha256").update(`${publicJwk.n}.${publicJwk.e}`).digest("base64url").slice(0, 27);
  const published: JWK = { ...publicJwk, kty: "RSA", use: "sig", kid, x5t: kid, alg: "RS256" };
  return {
    kid,
    sealedPrivateJwk: box.seal(JSON.stringify(await exportJWK(privateKey))),
    publicJwk: JSON.stringify(published),
    createdAt,
    retiredAt: null,
  };
}
