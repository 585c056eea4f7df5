import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGE_SIZE, paged } from "../../src/http/arm/paging.ts";

test("ARM lists page by nextLink; following every link yields each item once", () => {
  const value = Array.from({ length: PAGE_SIZE * 2 + 5 }, (_, i) => i);
  const seen: number[] = [];
  let url: string | undefined = "https://h/subscriptions/s/resourcegroups?api-version=2021-04-01";
  let pages = 0;
  while (url) {
    const query = Object.fromEntries(new URL(url).searchParams);
    const body = paged({ value }, query, url) as { value: number[]; nextLink?: string };
    seen.push(...body.value);
    url = body.nextLink;
    pages++;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, value);
  assert.deepEqual(paged({ id: "x" }, {}, "https://h/x"), { id: "x" });
  assert.equal((paged({ value }, { $skiptoken: "garbage!" }, "https://h/x") as { value: number[] }).value[0], 0);
});
