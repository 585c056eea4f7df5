// Runs on `npm install` (the `prepare` script): npm links the bins of dependencies into node_modules/.bin but not
// the project's own, so this links `keyless` there too — `node_modules/.bin/keyless` then works like `npx keyless`.
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const binDir = join(root, "node_modules", ".bin");
const link = join(binDir, "keyless");
mkdirSync(binDir, { recursive: true });
if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) unlinkSync(link);
symlinkSync(join("..", "..", "bin", "keyless.js"), link);
