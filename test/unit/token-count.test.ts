import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { countTokens, loadTokenizer, tiktokenRanks, truncateToTokens } from "../../src/inference/token-count.ts";

const tiktokenLine = (bytes: readonly number[], rank: number) => `${Buffer.from(bytes).toString("base64")} ${rank}\n`;

describe("token counting", () => {
  test("gpt-tokenizer is pinned to the tested minor: the ranks are read through its internals (data/, getEncodingApi)", async () => {
    const root = new URL("../../", import.meta.url);
    const manifest = JSON.parse(await readFile(new URL("package.json", root), "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(await readFile(new URL("package-lock.json", root), "utf8")) as {
      packages: Record<string, { version: string; dependencies?: Record<string, string> }>;
    };
    const locked = lock.packages["node_modules/gpt-tokenizer"]!.version;
    assert.equal(manifest.dependencies["gpt-tokenizer"], `~${locked}`);
    assert.equal(lock.packages[""]!.dependencies!["gpt-tokenizer"], `~${locked}`);
  });

  test("the ranks read from the .tiktoken file are the package's generated module, rank for rank", async () => {
    const { default: generated } = await import("gpt-tokenizer/bpeRanks/o200k_base");
    const ranks = tiktokenRanks(await readFile(new URL(import.meta.resolve("gpt-tokenizer/data/o200k_base.tiktoken"))));
    assert.equal(ranks.length, generated.length);
    assert.deepEqual(ranks, generated);
  });

  test("a token is its text where its bytes are UTF-8, else its bytes; a rank no line names is empty", () => {
    const file = Buffer.from(
      tiktokenLine([0x68, 0x69], 0) + // "hi"
        tiktokenLine([0xc3, 0xa9], 1) + // "é"
        tiktokenLine([0xe2, 0x82], 2) + // the start of "€" alone: not UTF-8
        tiktokenLine([0xef, 0xbb, 0xbf, 0x61], 3) + // a byte-order mark: the generator's decoder drops it, so bytes
        tiktokenLine([0x20], 5), // rank 4 unused
    );
    assert.deepEqual(tiktokenRanks(file), ["hi", "é", [0xe2, 0x82], [0xef, 0xbb, 0xbf, 0x61], "", " "]);
  });

  test("counts and truncates as gpt-tokenizer's own o200k_base module does", async () => {
    const reference = await import("gpt-tokenizer/encoding/o200k_base");
    await loadTokenizer();
    const texts = [
      "hello world",
      "The quick brown fox jumps over the lazy dog. 1234567890 !@#$%^&*()",
      "日本語のテキストと中文文本，以及 한국어 텍스트.",
      "emoji 👩‍👩‍👧‍👦 and accents: naïve café, Ελληνικά, русский текст, עברית, العربية",
      "function f(x) {\n\treturn x * 2; // comment\n}\n\n    indented\r\n",
      "\u00ff\u0100 \ufeffBOM inside",
    ];
    for (const text of texts) assert.equal(countTokens(text), reference.countTokens(text), text);
    const long = texts.join(" ");
    assert.equal(await truncateToTokens(long, 12), reference.decode(reference.encode(long).slice(0, 12)));
  });
});
