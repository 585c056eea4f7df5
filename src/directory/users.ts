import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import { type ListPage, type ListQuery, pageOf } from "../core/list-query.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import type { UserRecord } from "../storage/records.ts";
import { hashSecret } from "./secret-hash.ts";
import { checkTextLengths } from "./text-limits.ts";

export interface UserChanges {
  displayName?: string;
  mailNickname?: string;
  accountEnabled?: boolean;
  password?: string;
}

const MIN_PASSWORD_LENGTH = 8;

/** Refuses passwords Entra's default policy would refuse (length and character classes), without echoing them. */
export function checkPasswordPolicy(password: string): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (password.length < MIN_PASSWORD_LENGTH || classes < 3) {
    throw new InvalidInputError(
      `The specified password does not comply with password complexity requirements: use at least ${MIN_PASSWORD_LENGTH} characters from at least three of lower case, upper case, digits and symbols.`,
      "passwordProfile",
    );
  }
}

/** Changes and deletion of users; creation stays in the directory with the tenant bootstrap. */
export function createUsers(store: DirectoryStore, clock: Clock) {
  const now = () => nowIso(clock);

  /** A user by object id or by user principal name (case-insensitive), as Graph's `/users/{id|upn}`. */
  async function findUser(idOrUpn: string): Promise<UserRecord | undefined> {
    return idOrUpn.includes("@") ? store.findUserByUpn(idOrUpn) : store.getUser(idOrUpn.toLowerCase());
  }

  return {
    findUser,
    getUser: (id: string) => store.getUser(id.toLowerCase()),
    listUsers: (tenantId: string) => store.listUsers(tenantId),
    async listUsersPage(tenantId: string, query: ListQuery): Promise<ListPage<UserRecord>> {
      const page = pageOf(await store.listUsersPage(tenantId, { ...query, limit: query.limit + 1 }), query.limit);
      return { items: page.items.map((i) => i.value), next: page.next };
    },

    async updateUser(idOrUpn: string, changes: UserChanges): Promise<UserRecord> {
      const user = await findUser(idOrUpn);
      if (!user) throw new NotFoundError(idOrUpn);
      checkTextLengths("User", { displayName: changes.displayName });
      if (changes.password !== undefined) checkPasswordPolicy(changes.password);
      const updated: UserRecord = {
        ...user,
        ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
        ...(changes.mailNickname !== undefined ? { mailNickname: changes.mailNickname } : {}),
        ...(changes.accountEnabled !== undefined ? { accountEnabled: changes.accountEnabled } : {}),
        ...(changes.password !== undefined ? { passwordHash: await hashSecret(changes.password) } : {}),
      };
      // As Entra: a new password ends the sessions (refresh tokens) the old one started, whoever holds them.
      await store.updateUser(updated, now(), { passwordChanged: changes.password !== undefined });
      return updated;
    },

    async deleteUser(idOrUpn: string): Promise<void> {
      const user = await findUser(idOrUpn);
      if (!user || !(await store.deleteUser(user.id, now()))) throw new NotFoundError(idOrUpn);
    },
  };
}
