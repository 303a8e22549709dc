// The orchestration flow kind when someone else changes the flow between the kind's read and its
// write. Its writes stop and start order processing, so a refused write (412) is not retried on a
// new decision: the update stops with an error that names the flow and says what it left behind,
// and the other writer's change stands.
import { beforeEach, describe, expect, it } from "vitest";
import { PreconditionFailedError } from "../../../src/dataverse/errors.js";
import { columns, entitySetNames, publishStatus } from "../../../src/iom/facts.js";
import type { OrchestrationFlowInputs } from "../../../src/resources/orchestration-flow/index.js";
import { orchestrationFlow } from "../../../src/resources/orchestration-flow/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { interleave, otherWriter } from "./concurrent-writer.js";
import { activatedFinOps, articleFlow, articlePolicies, sessionOn } from "./setup.js";

const h = useEmulator();
const FLOWS = entitySetNames.msdyn_iomdesigner;

let s: Session;
let providerId: string;
let policies: string[];

beforeEach(async () => {
  s = await sessionOn(h);
  policies = await articlePolicies(s);
  providerId = await activatedFinOps(s);
});

function flow(description?: string): OrchestrationFlowInputs & { providerIds: Record<string, string> } {
  return articleFlow(providerId, policies, description === undefined ? {} : { description });
}

async function session(fetch: typeof globalThis.fetch): Promise<Session> {
  const { dv } = h.client({}, { fetch });
  return { ...s, client: dv };
}

async function row(id: string) {
  return s.client.retrieve(FLOWS, id, {
    select: [columns.designer.description, columns.designer.publishStatus],
  });
}

describe("orchestration flow: someone else writes between the kind's read and its write", () => {
  it("does not start again a flow that was stopped by hand after the kind read it", async () => {
    const { id, outs } = await orchestrationFlow.create(flow(), s);
    const other = otherWriter(h);
    // An operator stops the flow (say, during an incident) just before the update's first write.
    const run = interleave({
      1: () =>
        other.patch(`${FLOWS}(${id})`, { [columns.designer.publishStatus]: publishStatus.unpublished.value }),
    });

    const error = await orchestrationFlow
      .update(id, outs, flow("A new description."), await session(run.fetch))
      .catch((e: unknown) => e);

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(1);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).message).toContain(
      `the orchestration flow 'Order orchestration with F&O' (${FLOWS}(${id})) was changed by someone else between iom-gitops's read and its write; that change was not written over`,
    );
    expect((error as Error).message).toContain("Run `pulumi refresh`");
    // One write, refused; the flow stays as the operator left it: stopped, description unchanged.
    expect(run.writes.map((w) => w.status)).toEqual([412]);
    expect(await row(id)).toMatchObject({
      [columns.designer.publishStatus]: publishStatus.unpublished.value,
      [columns.designer.description]: "Sends orders to F&O.",
    });
  });

  it("says it left the flow stopped when the change lands between its stop and its save", async () => {
    const { id, outs } = await orchestrationFlow.create(flow(), s);
    const other = otherWriter(h);
    const run = interleave({
      2: () => other.patch(`${FLOWS}(${id})`, { [columns.designer.description]: "Edited in IOM." }),
    });

    const error = await orchestrationFlow
      .update(id, outs, flow("A new description."), await session(run.fetch))
      .catch((e: unknown) => e);

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(1);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).message).toContain(
      "that change was not written over. This update had already stopped (unpublished) the flow; it was left stopped",
    );
    expect(run.writes.map((w) => w.status)).toEqual([200, 412]);
    expect(await row(id)).toMatchObject({
      [columns.designer.publishStatus]: publishStatus.unpublished.value,
      [columns.designer.description]: "Edited in IOM.",
    });
  });
});
