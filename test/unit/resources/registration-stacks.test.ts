// Registration of an IOM resource without the SDK's per-property debugging stacks
// (docs/adr/0010-registration-stacks.md): the stacks V8 builds while a resource registers are
// counted by their frames, through Error.prepareStackTrace, under Pulumi's mocks.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { keepRegistrationsWithoutStacks } from "../../../src/resources/common/dynamic.js";
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

/** The number of frames of every stack trace built while `register` runs. */
function stackDepthsDuring(register: () => unknown): number[] {
  const previous = Error.prepareStackTrace;
  const depths: number[] = [];
  Error.prepareStackTrace = (error, frames) => {
    depths.push(frames.length);
    return previous ? previous(error, frames) : String(error);
  };
  try {
    register();
  } finally {
    Error.prepareStackTrace = previous;
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

/** Settles when the (mock) engine has registered the resource. */
const registered = (resource: pulumi.CustomResource): Promise<string> =>
  new Promise((resolve) => resource.urn.apply(resolve));

/** The number of frames of every stack trace built until `settled` settles. */
async function stackDepthsUntil(settled: Promise<unknown>): Promise<number[]> {
  const previous = Error.prepareStackTrace;
  const depths: number[] = [];
  Error.prepareStackTrace = (error, frames) => {
    depths.push(frames.length);
    return previous ? previous(error, frames) : String(error);
  };
  try {
    await settled;
  } finally {
    Error.prepareStackTrace = previous;
  }
  return depths;
}

describe("the registrations that go on once the program has declared its resources", () => {
  const limit = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = limit;
  });

  it("build no stack with frames either", async () => {
    const policy = new Policy("async", inputs);
    keepRegistrationsWithoutStacks();
    const depths = await stackDepthsUntil(registered(policy));
    // The SDK still asks for stacks as the registration resumes; they are empty.
    expect(depths.length).toBeGreaterThan(0);
    expect(depths.filter((d) => d > 0)).toEqual([]);
  });

  it("keep their stacks when PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
    process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "1";
    const policy = new Policy("async-deep", inputs);
    keepRegistrationsWithoutStacks();
    const depths = await stackDepthsUntil(registered(policy));
    expect(depths.filter((d) => d > 0).length).toBeGreaterThan(0);
  });
});
