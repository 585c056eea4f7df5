import { randomBytes, timingSafeEqual } from "node:crypto";
import { nowIso } from "../core/clock.ts";
import type { SealedBox } from "../core/sealed-box.ts";
import type { AccountKeyRecord } from "../storage/arm-store.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { ACCOUNT_TYPE } from "./cognitive-services.ts";

const LIST_KEYS = "Microsoft.CognitiveServices/accounts/listKeys/action";
const REGENERATE_KEY = "Microsoft.CognitiveServices/accounts/regenerateKey/action";
const KEY_NAMES = ["key1", "key2"] as const;

/** One fresh key, sealed at rest and findable by its HMAC digest; the plaintext leaves only through listKeys. */
function newAccountKey(box: SealedBox, accountId: string, keyName: "key1" | "key2", at: string): AccountKeyRecord {
  const key = randomBytes(32).toString("hex");
  return { accountKey: accountId.toLowerCase(), keyName, sealedKey: box.seal(key), digest: box.lookupDigest(key), createdAt: at };
}

/** The two keys every account gets at creation. */
export function newAccountKeys(box: SealedBox, accountId: string, at: string): AccountKeyRecord[] {
  return KEY_NAMES.map((name) => newAccountKey(box, accountId, name, at));
}

/** `POST …/accounts/{a}/listKeys` → `{key1, key2}`. */
export async function listAccountKeys(deps: ArmDeps, caller: ArmCaller, accountId: string) {
  await requireAction(deps, caller, LIST_KEYS, accountId);
  const account = await findAccountOrThrow(deps, accountId);
  return keysJson(deps.box, await deps.arm.listAccountKeys(account.id));
}

/** `POST …/accounts/{a}/regenerateKey` body `{keyName: "Key1"|"Key2"}`: the old key stops working at once. */
export async function regenerateAccountKey(deps: ArmDeps, caller: ArmCaller, accountId: string, body: unknown) {
  const keyName = (body as { keyName?: unknown } | null)?.keyName;
  const name = typeof keyName === "string" ? keyName.toLowerCase() : "";
  if (name !== "key1" && name !== "key2") throw armError("InvalidKeyName", typeof keyName === "string" ? keyName : String(keyName));
  await requireAction(deps, caller, REGENERATE_KEY, accountId);
  const account = await findAccountOrThrow(deps, accountId);
  await deps.arm.replaceAccountKey(newAccountKey(deps.box, account.id, name, nowIso(deps.clock)));
  return keysJson(deps.box, await deps.arm.listAccountKeys(account.id));
}

/**
 * What the data plane's key authentication asks: is `key` one of this account's current keys? Looked up by
 * digest; the account's `disableLocalAuth` is answered beside it so a caller cannot forget it.
 */
export function accountKeyAuthority(deps: Pick<ArmDeps, "arm" | "box" | "resources">) {
  return {
    async verifyAccountKey(accountId: string, key: string): Promise<boolean> {
      if (key.length === 0 || key.length > 256) return false;
      const digest = deps.box.lookupDigest(key);
      const stored = await deps.arm.listAccountKeys(accountId);
      return stored.some((k) => k.digest.length === digest.length && timingSafeEqual(Buffer.from(k.digest), Buffer.from(digest)));
    },
    async localAuthDisabled(accountId: string): Promise<boolean> {
      const account = await deps.resources.getResource(accountId);
      return account?.properties.disableLocalAuth === true;
    },
  };
}

async function findAccountOrThrow(deps: ArmDeps, accountId: string) {
  const account = await deps.resources.getResource(accountId);
  if (!account || account.type !== ACCOUNT_TYPE) throw armError("ResourceNotFound", ACCOUNT_TYPE, accountId.split("/").pop() ?? accountId);
  return account;
}

function keysJson(box: SealedBox, keys: readonly AccountKeyRecord[]) {
  const byName = Object.fromEntries(keys.map((k) => [k.keyName, box.open(k.sealedKey)]));
  return { key1: byName.key1, key2: byName.key2 };
}
