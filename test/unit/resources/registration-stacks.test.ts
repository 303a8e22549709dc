// Registration of an IOM resource without the SDK's per-property debugging stacks
// (docs/adr/0010-registration-stacks.md): the stacks V8 builds while a resource registers, and
// until the stack's resources have registered (declareWithoutStacks), are counted by their
// frames, through Error.prepareStackTrace, under Pulumi's mocks.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { declareWithoutStacks } from "../../../src/program/without-stacks.js";
import { Policy, type PolicyInputs } from "../../../src/resources/policy/index.js";

const inputs: PolicyInputs = {
  name: "Stacks policy",
  type: "execution",
  entity: "order",
  description: "Registered under mocks",
  published: true,
  rules: [{ name: "Rule", when: { field: "Company", operator: "contains data" }, actions: [] }],
  recordId: "00000000-0000-4000-8000-000000000001",
} as unknown as PolicyInputs;

/** The URN of a resource once the SDK has registered it. */
function registered(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply((urn) => resolve(urn)));
}

/**
 * Counts the frames of every stack trace V8 builds from now until `stop` is called (through
 * Error.prepareStackTrace, which `stop` puts back).
 */
function recordStackDepths(): { depths: number[]; stop: () => void } {
  const previous = Error.prepareStackTrace;
  const depths: number[] = [];
  Error.prepareStackTrace = (error, frames) => {
    depths.push(frames.length);
    return previous ? previous(error, frames) : String(error);
  };
  return { depths, stop: () => (Error.prepareStackTrace = previous) };
}

/**
 * The number of frames of every stack trace built from the start of `register` until the
 * resources it returns have registered: the SDK's later microtasks included.
 */
async function stackDepthsUntilRegistered(register: () => pulumi.Resource[]): Promise<number[]> {
  const { depths, stop } = recordStackDepths();
  try {
    await Promise.all(register().map(registered));
  } finally {
    stop();
  }
  return depths;
}

/** The number of frames of every stack trace built while `register` runs. */
function stackDepthsDuring(register: () => unknown): number[] {
  const { depths, stop } = recordStackDepths();
  try {
    register();
  } finally {
    stop();
  }
  return depths;
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
});

afterEach(() => {
  delete process.env["PULUMI_DEBUG_PROMISE_LEAKS"];
});

describe("registering an IOM resource", () => {
  it("builds no stack with frames but the SDK's own source-position lookup", () => {
    const depths = stackDepthsDuring(() => new Policy("shallow", inputs));
    // The SDK asked for a stack four times per property (it still does: the traces are empty) ...
    expect(depths.length).toBeGreaterThanOrEqual(4 * Object.keys(inputs).length);
    // ... and only Resource's source-position lookup, which sets its own limit, walked the frames.
    expect(depths.filter((d) => d > 0).length).toBeLessThanOrEqual(1);
  });

  it("keeps the full stacks when PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
    process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "1";
    const depths = stackDepthsDuring(() => new Policy("deep", inputs));
    expect(depths.filter((d) => d > 0).length).toBeGreaterThanOrEqual(4 * Object.keys(inputs).length);
  });

  it("restores the stack limit, also when registration throws", () => {
    const limit = Error.stackTraceLimit;
    new Policy("restored", inputs);
    expect(Error.stackTraceLimit).toBe(limit);
    // The SDK refuses a resource without a name before registering it.
    expect(() => new Policy("", inputs)).toThrow(/name/);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

describe("declaring a stack's resources (declareWithoutStacks)", () => {
  const three = (prefix: string) => () => [1, 2, 3].map((i) => new Policy(`${prefix} ${i}`, inputs));

  it("builds no stack with frames until they have registered, but the source-position lookups", async () => {
    const depths = await stackDepthsUntilRegistered(() => declareWithoutStacks(three("quiet"), (r) => r));
    // One source-position lookup per resource walks the frames (the SDK sets its own limit for it).
    expect(depths.filter((d) => d > 0).length).toBeLessThanOrEqual(3);
  });

  it("is needed: the SDK goes on building stacks after the constructors have returned", async () => {
    // Without it, the kind's class (iomResourceClass) covers the constructors only: the SDK's later work on
    // the same resources (nested inputs, its debug log) still walks the frames: more stacks than
    // the one source-position lookup per resource that remain with it (12 for these three).
    const depths = await stackDepthsUntilRegistered(three("loud"));
    expect(depths.filter((d) => d > 0).length).toBeGreaterThanOrEqual(3 * 4);
  });

  it("restores the limit once every resource has registered, and at once when declaring throws", async () => {
    const limit = Error.stackTraceLimit;
    const declared = declareWithoutStacks(three("restored"), (r) => r);
    expect(Error.stackTraceLimit).toBe(0);
    await Promise.all(declared.map(registered));
    // The restoring callback runs in the same round as the URNs: give it its turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(Error.stackTraceLimit).toBe(limit);
    expect(() =>
      declareWithoutStacks(
        () => [new Policy("", inputs)],
        (r) => r,
      ),
    ).toThrow(/name/);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("leaves the stacks alone when PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
    process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "1";
    const depths = await stackDepthsUntilRegistered(() => declareWithoutStacks(three("debug"), (r) => r));
    expect(depths.filter((d) => d > 0).length).toBeGreaterThan(3 * 4 * Object.keys(inputs).length);
  });
});
