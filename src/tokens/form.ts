import { oauthError } from "./oauth-errors.ts";

/** A required form field, or the AADSTS900144 error naming it. */
export function required(form: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = form[name];
  if (value === undefined || value === "") throw oauthError("missingParameter", name);
  return value;
}
