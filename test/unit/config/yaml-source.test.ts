import { describe, expect, it } from "vitest";
import { loadYamlText } from "../../../src/config/yaml-source.js";
import type { YamlSource } from "../../../src/config/yaml-source.js";

function load(text: string): YamlSource {
  const result = loadYamlText("t.yaml", text);
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  return result.source;
}

describe("loadYamlText", () => {
  it.each<[string, string, unknown]>([
    ["dates stay strings", "a: 2024-01-31", { a: "2024-01-31" }],
    ["yes/no stay strings", "a: yes\nb: no\nc: on", { a: "yes", b: "no", c: "on" }],
    ["true/false are booleans", "a: true\nb: false", { a: true, b: false }],
    ["merge keys are plain keys", "<<: {a: 1}", { "<<": { a: 1 } }],
  ])("uses an explicit safe schema: %s", (_label, text, expected) => {
    expect(load(text).data).toEqual(expected);
  });

  it.each<[string, string, string, number, number]>([
    ["a duplicate key", "a: 1\nb:\n  c: 2\n  c: 3\n", "yaml-duplicate-key", 4, 3],
    ["an unclosed quote", "a: 'x\n", "yaml-syntax", 2, 1],
    ["a binary tag", "a: !!binary aGk=\n", "yaml-syntax", 1, 17],
    ["a NUL byte", "a: 1\nb: \u0000\n", "file-not-text", 2, 4],
    ["an empty file", "", "file-empty", 1, 1],
    ["comments only", "# nothing\n", "file-empty", 1, 1],
    // js-yaml places these past the end of the text (it appends a line break); found by fuzzing.
    ["a control character at the very end", "\n\n\u0001", "yaml-syntax", 3, 2],
    ["an unclosed flow at the very end", "a: [1,", "yaml-syntax", 1, 7],
    ["a NUL byte after CRLF line ends", "a: 1\r\nb: \u0000\r\n", "file-not-text", 2, 4],
  ])("reports %s with its position", (_label, text, code, line, column) => {
    const result = loadYamlText("t.yaml", text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.findings).toEqual([expect.objectContaining({ code, line, column, file: "t.yaml" })]);
  });
});

describe("YamlSource.locate", () => {
  const source = load("top:\n  list:\n    - name: a\n      value: 1\n    - name: b\n");

  it("finds values, keys, and the nearest ancestor of a missing path", () => {
    expect(source.locate(["top", "list", 1, "name"])).toMatchObject({ line: 5, column: 13, endColumn: 14 });
    expect(source.locate(["top", "list", 0, "value"], { key: true })).toMatchObject({ line: 4, column: 7 });
    expect(source.locate(["top", "list", 1, "missing"])).toMatchObject({ line: 5, column: 7 });
    expect(source.locate(["nowhere"])).toMatchObject({ line: 1, column: 1 });
  });
});

describe("YamlSource.locateInString", () => {
  it.each<[string, string, string, number, number]>([
    ["plain", "f: a eq 1 and bad eq 2\n", "bad", 1, 15],
    ["single-quoted with doubled quotes", "f: 'n eq ''x'' and bad eq 2'\n", "bad", 1, 20],
    ["double-quoted with an escape", 'f: "n eq \\"x\\" and bad eq 2"\n', "bad", 1, 20],
    ["folded over lines", "f: >-\n  a eq 1 and\n  bad eq 2\n", "bad", 3, 3],
    ["plain over lines", "f: a eq 1 and\n   bad eq 2\n", "bad", 2, 4],
  ])("maps an index in a %s string to its column", (_label, text, needle, line, column) => {
    const source = load(text);
    const value = (source.data as { f: string }).f;
    expect(source.locateInString(["f"], value.indexOf(needle), needle.length)).toMatchObject({
      line,
      column,
      endColumn: column + needle.length,
    });
  });
});
