// The read gatherer of src/resources/common/records.ts on its own, with counting stand-ins for the
// queries: when it reads a table whole, and that a whole read never answers for a row it lacks.
import { describe, expect, it } from "vitest";
import type { DataverseRecord } from "../../../src/dataverse/index.js";
import { Gatherer, type GatherTuning } from "../../../src/resources/common/records.js";

const TUNING: GatherTuning = { wholeAfter: 4, wholeMaxRows: 10, wholeMaxAgeMs: 1000 };
const row = (id: string): DataverseRecord[] => [{ id }];

function rig(whole: (maxRows: number) => Promise<Map<string, DataverseRecord[]> | undefined>) {
  const calls = { many: [] as string[][], single: [] as string[], whole: 0 };
  let clock = 0;
  const gatherer = new Gatherer(
    async (ids) => {
      calls.many.push([...ids]);
      return new Map(ids.filter((id) => id !== "gone").map((id) => [id, row(id)]));
    },
    async (id) => {
      calls.single.push(id);
      return id === "gone" ? [] : row(id);
    },
    async (maxRows) => {
      calls.whole++;
      return whole(maxRows);
    },
    TUNING,
    () => clock,
  );
  return { gatherer, calls, tick: (ms: number) => (clock += ms) };
}

const table = (ids: string[]) => async () => new Map(ids.map((id) => [id, row(id)]));

describe("the read gatherer", () => {
  it("gathers the first reads, then answers the rest from one whole-table read", async () => {
    const { gatherer, calls } = rig(table(["a", "b", "c", "d", "e", "f", "g"]));
    expect(await Promise.all(["a", "b", "c", "d"].map((id) => gatherer.get(id)))).toEqual(
      ["a", "b", "c", "d"].map(row),
    );
    expect(await Promise.all(["e", "f", "g"].map((id) => gatherer.get(id)))).toEqual(
      ["e", "f", "g"].map(row),
    );
    expect(calls).toEqual({ many: [["a", "b", "c", "d"]], single: [], whole: 1 });
  });

  it("reads a row the whole read lacks as before: it is not taken for deleted on that read's say", async () => {
    const { gatherer, calls } = rig(table(["a", "b"]));
    for (const id of ["a", "b", "c", "d"]) await gatherer.get(id);
    expect(await gatherer.get("new")).toEqual(row("new"));
    expect(await gatherer.get("gone")).toEqual([]);
    expect(calls.single).toEqual(["a", "b", "c", "d", "new", "gone"]);
    expect(calls.whole).toBe(1);
  });

  it("goes on gathering when the table is too large or its read fails, without asking again at once", async () => {
    for (const whole of [async () => undefined, async () => Promise.reject(new Error("HTTP 503"))]) {
      const { gatherer, calls } = rig(whole);
      for (const id of ["a", "b", "c", "d", "e", "f"]) expect(await gatherer.get(id)).toEqual(row(id));
      expect(calls.whole).toBe(1);
      expect(calls.single).toEqual(["a", "b", "c", "d", "e", "f"]);
    }
  });

  it("takes a new whole read once the last is older than a refresh", async () => {
    const { gatherer, calls, tick } = rig(table(["a", "b", "c", "d", "e", "f"]));
    for (const id of ["a", "b", "c", "d", "e"]) await gatherer.get(id);
    tick(500);
    await gatherer.get("f");
    expect(calls.whole).toBe(1);
    tick(600);
    await gatherer.get("f");
    expect(calls.whole).toBe(2);
  });
});
