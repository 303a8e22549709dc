// scripts/provision-chromium.sh's decisions, with a fake apt-get on PATH that records its calls:
// a browser already there is used as it is, a missing one is installed non-interactively (the
// package lists refreshed once when the first try fails), and a machine that cannot install it is
// told how to get it. The browser test's own message when it is missing says the same.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { projectRoot } from "../../../src/engine/engine.js";
import { chromiumPath } from "../../e2e/chromium.js";

const SCRIPT = path.join(projectRoot, "scripts", "provision-chromium.sh");

let work: string;
let browser: string;
let log: string;

/** A fake `apt-get` (and `id`, `sudo`): logs each call; `install` fails while FAIL_INSTALLS > calls so far. */
function fakes(uid: number): string {
  const bin = path.join(work, "bin");
  spawnSync("mkdir", ["-p", bin], { timeout: 5_000 });
  writeFileSync(
    path.join(bin, "apt-get"),
    `#!/bin/sh
echo "$* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> "${log}"
if [ "$1" = install ]; then
  n=$(grep -c '^install' "${log}")
  if [ "$n" -le "\${FAIL_INSTALLS:-0}" ]; then echo "E: Unable to locate package chromium" >&2; exit 100; fi
  printf '#!/bin/sh\\n' > "${browser}"; chmod +x "${browser}"
fi
`,
  );
  writeFileSync(path.join(bin, "id"), `#!/bin/sh\necho ${uid}\n`);
  // A sudo that wants a password: never the machine's own, which would run the real apt-get.
  writeFileSync(path.join(bin, "sudo"), `#!/bin/sh\necho "sudo $*" >> "${log}"\nexit 1\n`);
  for (const name of ["apt-get", "id", "sudo"]) chmodSync(path.join(bin, name), 0o755);
  return bin;
}

function provision(bin: string, env: Record<string, string> = {}) {
  const result = spawnSync("bash", [SCRIPT], {
    env: { PATH: [bin, "/usr/bin", "/bin"].join(path.delimiter), IOM_CHROMIUM: browser, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr, calls };
}

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "iom-chromium-"));
  browser = path.join(work, "chromium");
  log = path.join(work, "apt.log");
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("scripts/provision-chromium.sh", () => {
  it("uses the browser that is there, installing nothing", () => {
    writeFileSync(browser, "#!/bin/sh\n");
    chmodSync(browser, 0o755);
    const run = provision(fakes(0));
    expect(run).toMatchObject({ status: 0, stdout: browser, calls: [] });
  });

  it("installs Debian's chromium without questions when it is missing", () => {
    const run = provision(fakes(0));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(browser);
    expect(run.calls).toEqual(["install -y -q -o Dpkg::Use-Pty=0 chromium DEBIAN_FRONTEND=noninteractive"]);
  });

  it("refreshes the package lists once when the first install fails", () => {
    const run = provision(fakes(0), { FAIL_INSTALLS: "1" });
    expect(run.status).toBe(0);
    expect(run.calls.map((c) => c.split(" ")[0])).toEqual(["install", "update", "install"]);
  });

  it("says how to get it when it cannot install it", () => {
    const failed = provision(fakes(0), { FAIL_INSTALLS: "2" });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain("apt-get install chromium failed");
    expect(failed.stderr).toContain("sudo apt-get install chromium");

    // Not root, and sudo wants a password: nothing is installed.
    writeFileSync(log, "");
    const notRoot = provision(fakes(1000));
    expect(notRoot.status).toBe(1);
    expect(notRoot.calls).toEqual(["sudo -n true"]);
    expect(notRoot.stderr).toContain("installing it needs root");
  });
});

describe("the browser test without a browser", () => {
  it("fails with how to get it", () => {
    expect(() => chromiumPath("/nowhere/chromium", () => false)).toThrow(
      "Chromium is not installed (/nowhere/chromium), and the console's browser test needs it. Get it with `bash scripts/provision-chromium.sh`",
    );
    expect(chromiumPath("/usr/bin/chromium", () => true)).toBe("/usr/bin/chromium");
  });
});
