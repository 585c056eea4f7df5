/** Lambda functions (`lambda`, `lambdaVariables`) and the functions that call them. */
import { type FunctionSpec, invokeLambda } from "./evaluator.ts";
import { arr, bool, fail, obj, str } from "./function-args.ts";
import { type JsonObject, setProperty } from "./values.ts";

const MANY = Number.POSITIVE_INFINITY;

export const LAMBDA_FUNCTIONS: Record<string, FunctionSpec> = {
  lambda: {
    minArgs: 1,
    maxArgs: MANY,
    lazy: async (args) => {
      const params = args.slice(0, -1).map((p) => {
        if (p.kind !== "string") fail("The parameters of a 'lambda' function must be string literals.");
        return p.value;
      });
      return { kind: "lambda", params, body: args.at(-1)! };
    },
  },
  lambdavariables: {
    minArgs: 1,
    maxArgs: 1,
    run: (a, env) => {
      const name = str("lambdaVariables", a, 0).toLowerCase();
      if (!env.lambdaScope.has(name)) fail(`The lambda variable '${a[0] as string}' is not defined here.`);
      return env.lambdaScope.get(name);
    },
  },
  filter: {
    minArgs: 2,
    maxArgs: 2,
    run: async (a, env) => {
      const out: unknown[] = [];
      for (const [i, v] of arr("filter", a, 0).entries())
        if (bool("filter", [await invokeLambda(a[1], [v, i], env, "filter")], 0)) out.push(v);
      return out;
    },
  },
  map: {
    minArgs: 2,
    maxArgs: 2,
    run: async (a, env) => {
      const tally = env.budget.tally();
      const out: unknown[] = [];
      for (const [i, v] of arr("map", a, 0).entries()) {
        const item = await invokeLambda(a[1], [v, i], env, "map");
        tally(item);
        out.push(item);
      }
      return out;
    },
  },
  reduce: {
    minArgs: 3,
    maxArgs: 3,
    run: async (a, env) => {
      let acc = a[1];
      for (const [i, v] of arr("reduce", a, 0).entries()) acc = await invokeLambda(a[2], [acc, v, i], env, "reduce");
      return acc;
    },
  },
  sort: {
    minArgs: 2,
    maxArgs: 2,
    run: async (a, env) => {
      // Insertion sort: the comparator is asynchronous, and templates sort short arrays.
      const out: unknown[] = [];
      for (const v of arr("sort", a, 0)) {
        let at = out.length;
        while (at > 0 && bool("sort", [await invokeLambda(a[1], [v, out[at - 1]], env, "sort")], 0)) at--;
        out.splice(at, 0, v);
      }
      return out;
    },
  },
  toobject: {
    minArgs: 2,
    maxArgs: 3,
    run: async (a, env) => {
      const tally = env.budget.tally();
      const out: JsonObject = {};
      for (const v of arr("toObject", a, 0)) {
        const key = await invokeLambda(a[1], [v], env, "toObject");
        if (typeof key !== "string") fail("The key lambda of 'toObject' must return a string.");
        const value = a.length > 2 ? await invokeLambda(a[2], [v], env, "toObject") : v;
        tally(key);
        tally(value);
        setProperty(out, key, value);
      }
      return out;
    },
  },
  mapvalues: {
    minArgs: 2,
    maxArgs: 2,
    run: async (a, env) => {
      const tally = env.budget.tally();
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(obj("mapValues", a, 0))) {
        const value = await invokeLambda(a[1], [v], env, "mapValues");
        tally(k);
        tally(value);
        setProperty(out, k, value);
      }
      return out;
    },
  },
  groupby: {
    minArgs: 2,
    maxArgs: 2,
    run: async (a, env) => {
      const tally = env.budget.tally();
      const out: JsonObject = {};
      // Groups by key as `getProperty` matches keys (exact, else the first of the same lower case), indexed.
      const byLower = new Map<string, unknown[]>();
      for (const v of arr("groupBy", a, 0)) {
        const key = await invokeLambda(a[1], [v], env, "groupBy");
        if (typeof key !== "string") fail("The key lambda of 'groupBy' must return a string.");
        tally(key);
        tally(v);
        const group = Object.hasOwn(out, key) ? (out[key] as unknown[]) : byLower.get(key.toLowerCase());
        if (group) group.push(v);
        else {
          const created = [v];
          setProperty(out, key, created);
          byLower.set(key.toLowerCase(), created);
        }
      }
      return out;
    },
  },
};
