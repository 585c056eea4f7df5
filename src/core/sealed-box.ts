import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for secrets that must be read back (signing keys, account keys), and HMAC-SHA256 for looking
 * them up without decrypting. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export interface SealedBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** A keyed digest for equality look-ups of secrets (never reversible). */
  lookupDigest(value: string): string;
}

export function createSealedBox(masterKey: Buffer): SealedBox {
  if (masterKey.length !== 32) throw new Error("The master key must be 32 bytes (base64 of 32 random bytes).");
  const encryptionKey = createHmac("sha256", masterKey).update("keyless/seal").digest();
  const lookupKey = createHmac("sha256", masterKey).update("keyless/lookup").digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Not a sealed value.");
      const decipher = createDecipheriv("aes-256-gcm", encryptionKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    },
    lookupDigest(value) {
      return createHmac("sha256", lookupKey).update(value).digest("base64url");
    },
  };
}
