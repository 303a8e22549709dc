// The IOM provider kind when someone else changes a provider parameter between the kind's read and
// its write: the write is made on the version read, refused (412), and the parameters are read and
// written once more; a second refusal is an error naming the provider, and the other writer's
// value stands.
import { describe, expect, it } from "vitest";
import { PreconditionFailedError } from "../../../src/dataverse/errors.js";
import { columns, entitySetNames } from "../../../src/iom/facts.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { interleave, otherWriter } from "./concurrent-writer.js";
import { FINOPS } from "./setup.js";

const h = useEmulator();
const PARAMETER = "Disable Status Update Handlers";
const PARAMETERS = entitySetNames.msdyn_iomproviderparameter;

async function session(fetch?: typeof globalThis.fetch): Promise<Session> {
  const { dv } = h.client({}, fetch ? { fetch } : {});
  return {
    client: dv,
    organizationId: (await dv.whoAmI()).OrganizationId.toLowerCase(),
    deleteAdopted: false,
  };
}

const inputs = (value: boolean) => ({
  name: "finops",
  definition: FINOPS,
  activated: false,
  parameters: { [PARAMETER]: value },
  recordId: derivedId("test", "finops"),
});

/** The provider, installed with the parameter false, and the id of the parameter's row. */
async function installed(s: Session): Promise<{ id: string; parameterId: string }> {
  const { id } = await iomProvider.create(inputs(false), s);
  return { id, parameterId: derivedId(id, "parameter", PARAMETER.toLowerCase()) };
}

async function parameterValue(s: Session, parameterId: string): Promise<unknown> {
  const row = await s.client.retrieve(PARAMETERS, parameterId, { select: [columns.providerParameter.value] });
  return row[columns.providerParameter.value];
}

describe("IOM provider: someone else writes a parameter between the kind's read and its write", () => {
  it("reads the parameters again and writes the YAML's value on the version it has now", async () => {
    const s = await session();
    const { id, parameterId } = await installed(s);
    const other = otherWriter(h);
    const run = interleave({
      1: () => other.patch(`${PARAMETERS}(${parameterId})`, { [columns.providerParameter.value]: "by hand" }),
    });
    const olds = { ...inputs(false), organizationId: s.organizationId, adopted: false };

    await iomProvider.update(id, olds, inputs(true), await session(run.fetch));

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(1);
    // Refused on the version first read, then written on the version read again.
    expect(run.writes.map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual([
      `PATCH ${PARAMETERS}(${parameterId}) 412`,
      `PATCH ${PARAMETERS}(${parameterId}) 204`,
    ]);
    expect(await parameterValue(s, parameterId)).toBe("true");
  });

  it("stops with an error naming the provider when the parameter changes again after the fresh read", async () => {
    const s = await session();
    const { id, parameterId } = await installed(s);
    const other = otherWriter(h);
    const run = interleave({
      1: () => other.patch(`${PARAMETERS}(${parameterId})`, { [columns.providerParameter.value]: "first" }),
      2: () => other.patch(`${PARAMETERS}(${parameterId})`, { [columns.providerParameter.value]: "second" }),
    });
    const olds = { ...inputs(false), organizationId: s.organizationId, adopted: false };

    const error = await iomProvider
      .update(id, olds, inputs(true), await session(run.fetch))
      .catch((e: unknown) => e);

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(2);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).message).toContain(
      `a parameter of the IOM provider 'Microsoft Finance and Operations apps' (${id}) was changed by someone else`,
    );
    expect((error as Error).message).toContain("Run `pulumi refresh`");
    expect(run.writes.map((w) => w.status)).toEqual([412, 412]);
    expect(await parameterValue(s, parameterId)).toBe("second");
  });
});
