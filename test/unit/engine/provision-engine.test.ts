// The provisioning script's decisions, with a fake `go` on PATH that records each call and writes
// stand-in binaries: what is built, when, and what is reused. The real build is exercised by
// `npm test` itself, which runs the script before the e2e group.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../../src/engine/engine.js";

const fakeGo = `#!/bin/sh
echo "$*" >> "$FAKE_GO_LOG"
case "$1" in
  version) echo "go version go1.99 linux/amd64" ;;
  get) echo "reading https://proxy.example/x/@v/v1.info: 403 Forbidden" >&2; exit 1 ;;
  build)
    out=""; prev=""
    for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
    printf '#!/bin/sh\\necho v0.0.0-fake\\n' > "$out"; chmod +x "$out" ;;
esac
`;

let work: string;
let repo: string;
let log: string;

function provision(extraPath: string[] = []): { bin: string; calls: string[] } {
  writeFileSync(log, "");
  const env = {
    PATH: [...extraPath, path.join(work, "fakebin"), "/usr/bin", "/bin"].join(path.delimiter),
    HOME: work,
    IOM_ENGINE_CACHE: path.join(work, "cache"),
    FAKE_GO_LOG: log,
  };
  const result = execFileSync("bash", [path.join(repo, "scripts", "provision-engine.sh")], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { bin: result.trim().split("\n").pop() ?? "", calls };
}

/** A stand-in engine already installed in a folder of PATH, answering `pulumi version`. */
function engineOnPath(name: string, version: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\necho ${version}\n`);
  writeFileSync(path.join(dir, "pulumi-language-nodejs"), "#!/bin/sh\n");
  chmodSync(path.join(dir, "pulumi"), 0o755);
  chmodSync(path.join(dir, "pulumi-language-nodejs"), 0o755);
  return dir;
}

const builds = (calls: string[], what: string) =>
  calls.filter((c) => c.startsWith("build") && c.includes(what));

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "iom-provision-"));
  repo = path.join(work, "repo");
  // A copy of the parts of the repository the script reads.
  mkdirSync(path.join(repo, "node_modules", "@pulumi", "pulumi"), { recursive: true });
  cpSync(path.join(projectRoot, "scripts"), path.join(repo, "scripts"), { recursive: true });
  cpSync(path.join(projectRoot, "tools", "engine"), path.join(repo, "tools", "engine"), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}bin`),
  });
  writeFileSync(
    path.join(repo, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
    "#!/bin/sh\n",
  );
  mkdirSync(path.join(work, "fakebin"));
  writeFileSync(path.join(work, "fakebin", "go"), fakeGo);
  chmodSync(path.join(work, "fakebin", "go"), 0o755);
  log = path.join(work, "go.log");
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("scripts/provision-engine.sh", () => {
  it("builds the CLI and a language host once, then reuses the cached copy without calling go", () => {
    const first = provision();
    expect(builds(first.calls, "pkg/v3/cmd/pulumi")).toHaveLength(1);
    // Pulumi's own host is tried first; the proxy refuses it, so ours is built.
    expect(
      first.calls.some((c) =>
        c.startsWith("get github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@v"),
      ),
    ).toBe(true);
    expect(builds(first.calls, "./cmd/pulumi-language-nodejs")).toHaveLength(1);
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
      expect(existsSync(path.join(first.bin, name))).toBe(true);
    }

    const second = provision();
    expect(second.bin).toBe(first.bin);
    expect(second.calls).toEqual([]);
  });

  it("stamps the CLI with the version pinned in tools/engine/go.mod", () => {
    const { calls } = provision();
    const pinned = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\S+)/.exec(
      readFileSync(path.join(repo, "tools", "engine", "go.mod"), "utf8"),
    )?.[1];
    expect(pinned).toBeTruthy();
    expect(builds(calls, "pkg/v3/cmd/pulumi")[0]).toContain(`version.Version=v${pinned}`);
  });

  it("rebuilds only the language host when its sources change", () => {
    const first = provision();
    const main = path.join(repo, "tools", "engine", "cmd", "pulumi-language-nodejs", "main.go");
    writeFileSync(main, readFileSync(main, "utf8") + "\n// changed\n");
    const second = provision();
    expect(second.bin).toBe(first.bin);
    expect(builds(second.calls, "pkg/v3/cmd/pulumi")).toEqual([]);
    expect(builds(second.calls, "./cmd/pulumi-language-nodejs")).toHaveLength(1);
  });

  it("uses a recent pulumi already on PATH and builds nothing", () => {
    const onPath = engineOnPath("preinstalled", "v3.300.0");
    const result = provision([onPath]);
    expect(result.bin).toBe(onPath);
    expect(result.calls).toEqual([]);
  });

  it("ignores a pulumi on PATH that is too old", () => {
    const onPath = engineOnPath("old", "v3.100.0");
    const result = provision([onPath]);
    expect(result.bin).not.toBe(onPath);
    expect(builds(result.calls, "pkg/v3/cmd/pulumi")).toHaveLength(1);
  });
});
