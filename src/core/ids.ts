import { randomBytes, randomUUID } from "node:crypto";

/** A lower-case RFC 4122 v4 GUID, the form Entra and ARM use for object ids. */
export function newGuid(): string {
  return randomUUID();
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** URL-safe random secret with `bytes` bytes of entropy. */
export function newSecret(bytes = 32): string {
  // Never a leading `-`: secrets are typed after flags (`az login -p SECRET`), where one reads as an option.
  for (;;) {
    const secret = randomBytes(bytes).toString("base64url");
    if (!secret.startsWith("-")) return secret;
  }
}
