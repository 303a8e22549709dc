// The real `iom emulator` command, built and spawned: the listening line, persistence across a
// restart, a clean stop on SIGTERM and SIGINT, consistency after kill -9, --organization,
// --service-protection, and usage errors.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBuild } from "../../dist.js";

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin", "iom");
let dataDir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  // bin/iom runs dist/, built once before the tests (scripts/run.sh); never rebuilt here.
  assertFreshBuild();
  expect(fs.existsSync(path.join(root, "dist/cli/commands/emulator.js"))).toBe(true);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-emulator-cli-"));
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  line: string;
  exited: Promise<number | null>;
  /** The next line of standard output. One reader per child: a second readline on the same
   * stream would miss lines the first one already took from a chunk holding both. */
  nextLine: () => Promise<string>;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(bin, ["emulator", ...args], { cwd: root });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
    const queued: string[] = [];
    const waiting: ((line: string) => void)[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else queued.push(line);
    });
    const nextLine = (): Promise<string> =>
      queued.length > 0 ? Promise.resolve(queued.shift() as string) : new Promise((r) => waiting.push(r));
    void nextLine().then((line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve({ child, url: m[1] as string, line, exited, nextLine });
      else reject(new Error(`unexpected first line '${line}'`));
    });
  });
}

const api = (url: string, p: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${url}/api/data/v9.2/${p}`, {
    ...init,
    headers: { Authorization: "Bearer cli-token", "Content-Type": "application/json", ...init.headers },
  });

async function policyCount(url: string): Promise<number> {
  const res = await api(url, "msdyn_iompolicies?$count=true&$top=0");
  expect(res.status).toBe(200);
  return ((await res.json()) as { "@odata.count": number })["@odata.count"];
}

describe("iom emulator (the command)", () => {
  it("prints the listening line, keeps data across a restart, and stops cleanly on SIGTERM and SIGINT", async () => {
    const first = await start(["--port", "0", "--data", dataDir, "--token", "cli-token"]);
    expect(first.line).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(
      (
        await api(first.url, "msdyn_iompolicies", {
          method: "POST",
          body: JSON.stringify({ msdyn_name: "Kept" }),
        })
      ).status,
    ).toBe(204);
    expect(
      (await fetch(`${first.url}/api/data/v9.2/accounts`, { headers: { Authorization: "Bearer dev-token" } }))
        .status,
    ).toBe(401);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "emulator.lock"))).toBe(false);

    const second = await start(["--port", "0", "--data", dataDir, "--token", "cli-token"]);
    const res = await api(second.url, "msdyn_iompolicies?$select=msdyn_name");
    expect(
      ((await res.json()) as { value: Array<{ msdyn_name: string }> }).value.map((r) => r.msdyn_name),
    ).toEqual(["Kept"]);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("leaves a consistent store after kill -9 in the middle of writes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-emulator-kill-"));
    try {
      const first = await start(["--port", "0", "--data", dir, "--token", "cli-token"]);
      const acknowledged: string[] = [];
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; ; i++) {
          try {
            const res = await api(first.url, "msdyn_iompolicies", {
              method: "POST",
              body: JSON.stringify({ msdyn_name: `w${w}-${i}` }),
            });
            if (res.status === 204) acknowledged.push(`w${w}-${i}`);
          } catch {
            return; // the emulator is gone
          }
        }
      });
      while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
      first.child.kill("SIGKILL");
      await Promise.all(writers);
      await first.exited;

      const second = await start(["--port", "0", "--data", dir, "--token", "cli-token"]);
      const res = await api(second.url, "msdyn_iompolicies?$select=msdyn_name");
      const stored = new Set(
        ((await res.json()) as { value: Array<{ msdyn_name: string }> }).value.map((r) => r.msdyn_name),
      );
      for (const name of acknowledged) expect(stored.has(name)).toBe(true);
      expect(await policyCount(second.url)).toBe(stored.size);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers WhoAmI with the organization given by --organization", async () => {
    const organization = "bbbbbbbb-0000-4000-8000-00000000000b";
    const started = await start([
      "--port",
      "0",
      "--data",
      dataDir,
      "--token",
      "cli-token",
      "--organization",
      organization,
    ]);
    const who = (await (await api(started.url, "WhoAmI")).json()) as { OrganizationId: string };
    expect(who.OrganizationId).toBe(organization);
    started.child.kill("SIGTERM");
    expect(await started.exited).toBe(0);
  });

  it("prints the dual-write gateway's address on the line after the listening line, and serves it there", async () => {
    const gatewayDir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-emulator-gateway-"));
    try {
      const started = await start(["--port", "0", "--data", gatewayDir, "--token", "cli-token"]);
      const second = await started.nextLine();
      const m =
        /^dual-write gateway on (http:\/\/127\.0\.0\.1:\d+) \(IOM_DUALWRITE_URL=\1 IOM_FINOPS_URL=https:\/\/finops\.emulator\.local\)$/.exec(
          second,
        );
      expect(m, second).not.toBeNull();
      expect(m![1]).not.toBe(started.url);
      const environments = await fetch(
        `${m![1]}/api/DualWriteManagement/1.0/Environments?targetType=AX&identifier=finops.emulator.local`,
        { headers: { Authorization: "Bearer cli-token" } },
      );
      expect(environments.status).toBe(200);
      expect(((await environments.json()) as unknown[]).length).toBe(1);
      started.child.kill("SIGTERM");
      expect(await started.exited).toBe(0);
    } finally {
      fs.rmSync(gatewayDir, { recursive: true, force: true });
    }
  });

  it("enforces --service-protection N/SECONDS and says so", async () => {
    const limitedDir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-emulator-limited-"));
    try {
      const started = await start([
        "--port",
        "0",
        "--data",
        limitedDir,
        "--token",
        "cli-token",
        "--service-protection",
        "2/300",
      ]);
      await started.nextLine(); // the gateway
      await started.nextLine(); // the console
      expect(await started.nextLine()).toBe("service protection: 429 past 2 requests in 300 s");
      expect((await api(started.url, "WhoAmI")).status).toBe(200);
      expect((await api(started.url, "WhoAmI")).status).toBe(200);
      const refused = await api(started.url, "WhoAmI");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
      started.child.kill("SIGTERM");
      expect(await started.exited).toBe(0);
    } finally {
      fs.rmSync(limitedDir, { recursive: true, force: true });
    }
  });

  it("exits 2 on bad flags", () => {
    for (const args of [
      ["--port", "70000"],
      ["--port", "x"],
      ["--colour"],
      ["--token", ""],
      ["--organization", "contoso"],
      ["--gateway-port", "65536"],
      ["--service-protection", "6000"],
      ["--service-protection", "0/300"],
      ["--service-protection", "6000/0"],
    ]) {
      let status = 0;
      let stderr = "";
      try {
        execFileSync(bin, ["emulator", ...args], { cwd: root, stdio: "pipe", timeout: 30_000 });
      } catch (err) {
        status = (err as { status: number }).status;
        stderr = String((err as { stderr: Buffer }).stderr);
      }
      expect(status).toBe(2);
      expect(stderr).toMatch(/^iom emulator: /);
    }
  });
});
