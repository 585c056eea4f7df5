import assert from "node:assert/strict";
import { test } from "node:test";
import { redactBody as redact } from "../../src/client/redact.ts";

test("--debug redaction: form fields and JSON fields that carry secrets", () => {
  const form =
    "grant_type=password&username=alice%40x&password=S3cret!&client_secret=abc&refresh_token=rt&client_assertion=ey.x.y&device_code=dc";
  const redacted = redact(form);
  for (const secret of ["S3cret!", "client_secret=abc", "refresh_token=rt", "ey.x.y", "device_code=dc"])
    assert.ok(!redacted.includes(secret), `${secret} leaked: ${redacted}`);
  assert.ok(redacted.includes("username=alice%40x") && redacted.includes("grant_type=password"), "non-secret fields stay readable");

  const json = JSON.stringify({
    access_token: "eyJ.a.b",
    refresh_token: "rt",
    id_token: "eyJ.c.d",
    expires_in: 3600,
    secretText: "s",
    key1: "k1",
    key2: "k2",
    passwordProfile: { password: "p" },
  });
  const out = redact(json);
  for (const secret of ["eyJ.a.b", '"rt"', "eyJ.c.d", '"s"', '"k1"', '"k2"', '"p"'])
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes('"expires_in":3600'));
});
