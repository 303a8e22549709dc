// The provider object every resource's state carries twice, as text (providerText): it must stay
// small, hold nothing but its kind, load as Pulumi's dynamic-provider plugin loads it, and have its
// methods in place as soon as `configure` is called.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import {
  providerText,
  RESOURCE_TYPES,
  startProviderPlugin,
  type ImplementationKind,
} from "../../../src/resources/common/dynamic.js";
import { install } from "../../../src/resources/runtime/dispatch.js";
import { removeTempDirs, tempDir } from "../../temp.js";

const kinds = Object.keys(RESOURCE_TYPES) as ImplementationKind[];

// What the plugin loads the text with (@pulumi/pulumi cmd/dynamic-provider/index.js).
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const requireFromString = fromPulumi("require-from-string") as (code: string) => {
  handler(): Record<string, unknown>;
};

afterEach(() => {
  delete process.env.IOM_GITOPS_ROOT;
  removeTempDirs();
});

describe("the provider object", () => {
  it.each(kinds)("of %s holds its kind and nothing else, in under 300 bytes", (kind) => {
    const text = providerText(kind);
    expect(text.length).toBeLessThan(300);
    expect(text).toContain(JSON.stringify(kind));
    // Nothing of the implementation, the client or a setting: only the loader's path.
    expect(text).not.toMatch(/DataverseClient|environmentUrl|token|IOM_DATAVERSE_URL/);
    const provider = requireFromString(text).handler();
    expect(Object.keys(provider)).toEqual(["configure"]);
  });

  it("hands itself, its kind and the stack config to runtime/dispatch's install when configured", () => {
    // A stand-in for the build the plugin finds in the project (IOM_GITOPS_ROOT here).
    const root = tempDir("provider-text-");
    mkdirSync(path.join(root, "dist/resources/runtime"), { recursive: true });
    writeFileSync(
      path.join(root, "dist/resources/runtime/dispatch.js"),
      "exports.install = (target, kind, req) => ({ target, kind, req });\n",
    );
    process.env.IOM_GITOPS_ROOT = root;
    const provider = requireFromString(providerText("dual-write-map")).handler();
    const req = { config: { get: () => undefined } };
    const installed = (provider.configure as (r: unknown) => unknown).call(provider, req);
    expect(installed).toEqual({ target: provider, kind: "dual-write-map", req });
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
