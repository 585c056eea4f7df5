import { createHash, randomInt } from "node:crypto";
import { type Clock, nowIso } from "../core/clock.ts";
import { newSecret } from "../core/ids.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import { oauthError } from "./oauth-errors.ts";

/** Device codes live 15 minutes, as in Entra; clients poll no faster than `interval` seconds. */
const DEVICE_CODE_LIFETIME_SECONDS = 900;
const DEVICE_CODE_POLL_INTERVAL_SECONDS = 2;
// No vowels (no words) and no look-alikes (0/O, 1/I).
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789";

interface DeviceCodeStart {
  tenantId: string;
  clientId: string;
  scope: string;
  verificationUri: string;
}

export interface DeviceCodeResponse {
  user_code: string;
  device_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

/** Starts a device-code sign-in; the scope is stored with the code because the poll does not repeat it. */
export async function startDeviceCode(grants: GrantStore, clock: Clock, start: DeviceCodeStart): Promise<DeviceCodeResponse> {
  const deviceCode = newSecret(32);
  const userCode = Array.from({ length: 9 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join("");
  await grants.insertDeviceCode({
    deviceCodeHash: hashCode(deviceCode),
    userCode,
    tenantId: start.tenantId,
    clientId: start.clientId.toLowerCase(),
    scope: start.scope,
    status: "pending",
    userId: null,
    createdAt: nowIso(clock),
    expiresAt: new Date(clock.now() + DEVICE_CODE_LIFETIME_SECONDS * 1000).toISOString(),
  });
  return {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: start.verificationUri,
    expires_in: DEVICE_CODE_LIFETIME_SECONDS,
    interval: DEVICE_CODE_POLL_INTERVAL_SECONDS,
    message: `To sign in, use a web browser to open the page ${start.verificationUri} and enter the code ${userCode} to authenticate.`,
  };
}

/** The poll: throws the OAuth error for pending, declined, expired or unknown codes; spends an approved one. */
export async function redeemDeviceCode(
  grants: GrantStore,
  clock: Clock,
  deviceCode: string,
  clientId: string,
  tenantId: string,
): Promise<{ userId: string; scope: string }> {
  const record = await grants.getDeviceCode(hashCode(deviceCode));
  if (!record || record.clientId !== clientId.toLowerCase() || record.tenantId !== tenantId) throw oauthError("deviceCodeUnknown");
  if (Date.parse(record.expiresAt) <= clock.now()) throw oauthError("deviceCodeExpired");
  if (record.status === "pending") throw oauthError("authorizationPending");
  if (record.status === "denied") throw oauthError("deviceCodeDeclined");
  if (
    record.status !== "approved" ||
    !record.userId ||
    !(await grants.transitionDeviceCode(record.deviceCodeHash, "approved", "redeemed"))
  ) {
    throw oauthError("deviceCodeExpired");
  }
  return { userId: record.userId, scope: record.scope };
}

export type DeviceDecision = "approved" | "denied" | "unknown" | "expired" | "already-decided" | "wrong-tenant";

/** The signed-in user's answer to a user code (from the approval page or the JSON API). */
export async function decideDeviceCode(
  grants: GrantStore,
  clock: Clock,
  userCode: string,
  user: { id: string; tenantId: string },
  approve: boolean,
): Promise<DeviceDecision> {
  const record = await grants.findDeviceCodeByUserCode(userCode.trim().toUpperCase().replaceAll("-", ""));
  if (!record) return "unknown";
  if (Date.parse(record.expiresAt) <= clock.now()) return "expired";
  if (record.tenantId !== user.tenantId) return "wrong-tenant";
  const moved = await grants.transitionDeviceCode(record.deviceCodeHash, "pending", approve ? "approved" : "denied", user.id);
  if (!moved) return "already-decided";
  return approve ? "approved" : "denied";
}

function hashCode(code: string): string {
  return createHash("sha256").update(code).digest("base64url");
}
