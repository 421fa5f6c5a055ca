import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.mjs";
import { parseSecrets, withoutSecretValues } from "./secrets-file.mjs";

describe("parseSecrets", () => {
  it("reads dotenv lines: comments, blanks, export, quotes and = inside values", () => {
    const text = ['# keys', "", "API_KEY=abc=def", 'export QUOTED="a \\"b\\"\\nc"', "SINGLE='raw \\n'", "  SPACED = x y  "].join("\n");
    expect(parseSecrets(text, "f")).toEqual({ API_KEY: "abc=def", QUOTED: 'a "b"\nc', SINGLE: "raw \\n", SPACED: "x y" });
  });

  it("reads a JSON object of strings", () => {
    expect(parseSecrets('{ "A": "1", "B.c": "two" }', "f")).toEqual({ A: "1", "B.c": "two" });
    expect(() => parseSecrets('{ "A": 1 }', "f")).toThrow(/values must be strings \(A\)/);
  });

  it("never quotes a secret in its errors", () => {
    for (const text of ['{ "A": "hunter2", ', "hunter2 without equals"]) {
      try {
        parseSecrets(text, "secrets.env");
        throw new Error("expected a failure");
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect(error.message).not.toContain("hunter2");
        expect(error.message).toContain("secrets.env");
      }
    }
  });
});

describe("withoutSecretValues", () => {
  it("keeps the names and hides the values", () => {
    expect(withoutSecretValues({ sha256: "x", secrets: { A: "hunter2" } })).toEqual({ sha256: "x", secrets: { A: "(set)" } });
    expect(withoutSecretValues({ sha256: "x" })).toEqual({ sha256: "x" });
  });
});
