// The serialised provider object: what every resource's state carries twice. It must stay small,
// capture nothing but its kind, and have its methods in place as soon as `configure` is called.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../../src/engine/engine.js";
import {
  dynamicProvider,
  RESOURCE_TYPES,
  startProviderPlugin,
  type ImplementationKind,
} from "../../../src/resources/common/dynamic.js";
import { install } from "../../../src/resources/runtime/dispatch.js";

const kinds = Object.keys(RESOURCE_TYPES) as ImplementationKind[];

describe("the serialised provider object", () => {
  it.each(kinds)("of %s captures only its kind and stays under 1 KB", async (kind) => {
    // As the SDK serialises it (@pulumi/pulumi dynamic/index.js): a function returning the object.
    const provider = dynamicProvider(kind);
    const { text } = await pulumi.runtime.serializeFunction(() => provider);
    expect(text.length).toBeLessThan(1024);
    expect(text).toContain(`kind: "${kind}"`);
    // Nothing of the implementation, the client or a setting: only the loader's path.
    expect(text).not.toMatch(/DataverseClient|environmentUrl|token|IOM_DATAVERSE_URL/);
    // The names each serialised function captures: the kind, and the object itself for the handler.
    const captured = [...text.matchAll(/with\(\{([^}]*)\}\)/g)].flatMap((m) =>
      (m[1] as string).split(",").map((entry) => entry.trim().split(":")[0]),
    );
    expect(new Set(captured)).toEqual(new Set(["kind", "this", "arguments", "provider"]));
  });

  it("has its method on one line as the build compiles it, so the state stores no indentation", () => {
    // The SDK stores the method's source as compiled (tsc, tsconfig.build.json), whitespace and all;
    // this test file runs the source through another compiler, hence tsc here.
    const source = readFileSync(path.join(projectRoot, "src/resources/common/dynamic.ts"), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.CommonJS },
    });
    const method = outputText.split("\n").find((line) => line.includes("configure(req)"));
    expect(method?.trim()).toMatch(
      /^configure\(req\) \{ return require\(.*\.install\(this, kind, req\); \},$/,
    );
  });

  it("is one object per kind, so Pulumi serialises it once", () => {
    expect(dynamicProvider("policy")).toBe(dynamicProvider("policy"));
    expect(dynamicProvider("policy")).not.toBe(dynamicProvider("dual-write-map"));
  });

  it("gets every method from configure before configure's first await", () => {
    const target: Record<string, unknown> = {};
    const done = install(target, "policy", { config: { get: () => undefined, require: () => "" } });
    for (const method of ["check", "diff", "create", "read", "update", "delete"])
      expect(typeof target[method], method).toBe("function");
    return done;
  });
});

describe("starting the provider plugin early", () => {
  it("asks the dynamic provider's package for a function, and drops its refusal", async () => {
    const asked: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => {
          asked.push(args.token);
          // As Pulumi's dynamic-provider plugin answers: it implements no function.
          throw new Error(`unknown function ${args.token}`);
        },
      },
      "project",
      "stack",
      true,
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      startProviderPlugin();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    // The engine starts the plugin of the function's package: pulumi-nodejs, the dynamic provider's.
    expect(asked).toEqual(["pulumi-nodejs:dynamic:start"]);
    expect(unhandled).toEqual([]);
  });
});
