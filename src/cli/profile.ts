import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TokenSet } from "../client/token-client.ts";
import { PRIVATE_DIR_MODE, unsafeDirectoryReason, writePrivateFile } from "../core/private-files.ts";
import { CliError } from "./cli-error.ts";

/** A Keyless server the CLI knows by name, as `az` knows clouds. */
export interface Cloud {
  name: string;
  /** The server's origin, e.g. `https://localhost:8443`. */
  endpoint: string;
  /** CA file to trust for this server (its local CA); absent when the system roots suffice. */
  caPath?: string | undefined;
}

/** A signed-in subscription, shaped as `az account list` prints it. */
export interface Account {
  cloudName: string;
  id: string;
  name: string;
  state: string;
  tenantId: string;
  homeTenantId: string;
  isDefault: boolean;
  user: { name: string; type: "user" | "servicePrincipal" };
}

/** What `login` keeps to get new tokens: a refresh token, or the service principal's secret (as az does). */
export interface Credential {
  kind: "user" | "servicePrincipal" | "managedIdentity";
  tenantId: string;
  username: string;
  clientSecret?: string | undefined;
  refreshToken?: string | undefined;
  /** The PEM (certificate + key) a service principal signed in with (`--certificate`), kept as a path as az does. */
  certificatePath?: string | undefined;
  /** A user-assigned managed identity's client id (`login --identity --username`). */
  identityClientId?: string | undefined;
  /** Tokens by resource. */
  tokens: Record<string, TokenSet>;
}

interface ProfileFile {
  activeCloud: string | undefined;
  clouds: Cloud[];
  accounts: Account[];
}

interface TokenFile {
  /** Keyed by `{cloud}|{username}`. */
  credentials: Record<string, Credential>;
}

/** `KEYLESS_CONFIG_DIR`, else `~/.keyless`. */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.KEYLESS_CONFIG_DIR ?? join(env.HOME ?? homedir(), ".keyless");
}

/**
 * The CLI's state under the config dir: `profile.json` (clouds, accounts) and `token-cache.json` (tokens and
 * secrets). Both are written whole, through a temporary file, with mode 0600 in a 0700 directory.
 */
export function openProfile(dir: string) {
  const profilePath = join(dir, "profile.json");
  const tokenPath = join(dir, "token-cache.json");
  refuseUnsafeDirectory(dir);
  const profile = read<ProfileFile>(profilePath, { activeCloud: undefined, clouds: [], accounts: [] });
  const tokens = read<TokenFile>(tokenPath, { credentials: {} });

  function save(): void {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    refuseUnsafeDirectory(dir);
    write(profilePath, profile);
    write(tokenPath, tokens);
  }

  const credentialKey = (cloud: string, username: string) => `${cloud}|${username.toLowerCase()}`;

  return {
    dir,
    clouds: () => profile.clouds,
    cloud: (name: string) => profile.clouds.find((c) => c.name.toLowerCase() === name.toLowerCase()),
    activeCloud: () => profile.clouds.find((c) => c.name === profile.activeCloud),
    setActiveCloud(name: string) {
      profile.activeCloud = name;
      save();
    },
    putCloud(cloud: Cloud) {
      profile.clouds = [...profile.clouds.filter((c) => c.name.toLowerCase() !== cloud.name.toLowerCase()), cloud];
      save();
    },
    removeCloud(name: string) {
      profile.clouds = profile.clouds.filter((c) => c.name.toLowerCase() !== name.toLowerCase());
      profile.accounts = profile.accounts.filter((a) => a.cloudName.toLowerCase() !== name.toLowerCase());
      if (profile.activeCloud?.toLowerCase() === name.toLowerCase()) profile.activeCloud = undefined;
      save();
    },
    accounts: (cloud: string) => profile.accounts.filter((a) => a.cloudName === cloud),
    /** Replaces this user's accounts in the cloud; the first becomes the default. */
    putAccounts(cloud: string, username: string, accounts: Account[]) {
      const others = profile.accounts.filter((a) => !(a.cloudName === cloud && a.user.name.toLowerCase() === username.toLowerCase()));
      const fresh = accounts.map((a, i) => ({ ...a, isDefault: i === 0 }));
      profile.accounts = [...others.map((a) => (a.cloudName === cloud && fresh.length > 0 ? { ...a, isDefault: false } : a)), ...fresh];
      save();
    },
    setDefaultAccount(cloud: string, id: string) {
      profile.accounts = profile.accounts.map((a) => (a.cloudName === cloud ? { ...a, isDefault: a.id === id } : a));
      save();
    },
    removeUser(cloud: string, username: string) {
      profile.accounts = profile.accounts.filter((a) => !(a.cloudName === cloud && a.user.name.toLowerCase() === username.toLowerCase()));
      delete tokens.credentials[credentialKey(cloud, username)];
      save();
    },
    credential: (cloud: string, username: string) => tokens.credentials[credentialKey(cloud, username)],
    putCredential(cloud: string, credential: Credential) {
      tokens.credentials[credentialKey(cloud, credential.username)] = credential;
      save();
    },
  };
}

export type Profile = ReturnType<typeof openProfile>;

function read<T>(path: string, empty: T): T {
  if (!existsSync(path)) return empty;
  return { ...empty, ...(JSON.parse(readFileSync(path, "utf8")) as T) };
}

function write(path: string, value: unknown): void {
  writePrivateFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Tokens are never read from, or written to, a directory another local user could write to. */
function refuseUnsafeDirectory(dir: string): void {
  const reason = unsafeDirectoryReason(dir);
  if (reason) {
    throw new CliError(`Refusing to keep credentials in ${reason}. Fix it with: chmod 700 '${dir}' (or set KEYLESS_CONFIG_DIR).`);
  }
}
