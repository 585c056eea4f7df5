import { InvalidInputError } from "../core/errors.ts";

/**
 * Length limits of the directory's free-text properties, in characters: Entra's documented ones (a user's, a group's
 * and an application's displayName 256, a group's description 1,024) and 256 for a password credential's
 * displayName, for which Entra documents none. Unbounded text would let one request store megabytes per object.
 */
const MAX_LENGTHS = {
  User: { displayName: 256 },
  Group: { displayName: 256, description: 1024 },
  Application: { displayName: 256 },
  PasswordCredential: { displayName: 256 },
} as const satisfies Record<string, Record<string, number>>;

type LimitedResource = keyof typeof MAX_LENGTHS;

/** Refuses a value longer than its limit with Graph's message for an invalid property value; absent values pass. */
export function checkTextLengths<R extends LimitedResource>(
  resource: R,
  values: { readonly [P in keyof (typeof MAX_LENGTHS)[R]]?: string | null | undefined },
): void {
  const limits: Record<string, number> = MAX_LENGTHS[resource];
  for (const [property, value] of Object.entries(values)) {
    const limit = limits[property];
    if (typeof value === "string" && limit !== undefined && value.length > limit) {
      throw new InvalidInputError(
        `Invalid value specified for property '${property}' of resource '${resource}': at most ${limit} characters.`,
        property,
      );
    }
  }
}
