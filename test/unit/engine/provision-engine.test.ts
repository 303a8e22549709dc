// The provisioning script's decisions, with a fake `go` on PATH that records each call and writes
// stand-in binaries: what is built, when, and what is reused. The real build is exercised by
// `npm test` itself, which runs the script before the e2e group.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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

// The fake's "go env" answers from the environment, then from FAKE_GOENV_<NAME> (a value set with
// "go env -w", which an empty environment variable does not override); "go get" logs the checksum
// settings it ran with.
const fakeGo = `#!/bin/sh
case "$1" in
  get) echo "$* GOSUMDB=$GOSUMDB GONOSUMDB=$GONOSUMDB GOPRIVATE=$GOPRIVATE" >> "$FAKE_GO_LOG" ;;
  env) ;;
  *) echo "$*" >> "$FAKE_GO_LOG" ;;
esac
case "$1" in
  version) echo "go version go1.99 linux/amd64" ;;
  env)
    shift
    for name in "$@"; do
      eval "value=\\\${$name:-\\$FAKE_GOENV_$name}"
      [ "$name" = GOSUMDB ] && [ -z "$value" ] && value=sum.golang.org
      echo "$value"
    done ;;
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

function provision(
  extraPath: string[] = [],
  extraEnv: Record<string, string> = {},
  fakebin = "fakebin",
): { bin: string; calls: string[] } {
  writeFileSync(log, "");
  const env = {
    PATH: [...extraPath, path.join(work, fakebin), "/usr/bin", "/bin"].join(path.delimiter),
    HOME: work,
    IOM_ENGINE_CACHE: path.join(work, "cache"),
    FAKE_GO_LOG: log,
    ...extraEnv,
  };
  const result = execFileSync("bash", [path.join(repo, "scripts", "provision-engine.sh")], {
    env,
    timeout: 60_000,
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

describe("scripts/provision-engine.sh: what it downloads is checked before it runs", () => {
  it("never pipes a download into a shell", () => {
    const script = readFileSync(path.join(projectRoot, "scripts", "provision-engine.sh"), "utf8");
    const code = script
      .split("\n")
      .filter((line) => !line.trim().startsWith("#"))
      .join("\n");
    expect(code).not.toMatch(/\|\s*(ba|z|da)?sh\b/);
    expect(code).not.toMatch(/\b(ba|z|da)?sh\s+-c\s+"\$\(curl/);
    expect(code).not.toMatch(/\bsource\s+<\(|\beval\s+"?\$\(curl/);
  });

  it("fetches Pulumi's language host with Go's checksum database, clearing exemptions from the environment", () => {
    const { calls } = provision([], { GONOSUMDB: "github.com/pulumi/*", GOPRIVATE: "github.com/pulumi/*" });
    const get = calls.find((c) => c.startsWith("get github.com/pulumi/pulumi/sdk/nodejs/"));
    expect(get).toMatch(/ GOSUMDB= GONOSUMDB= GOPRIVATE=$/);
  });

  it.each([
    ["the checksum database is off", { GOSUMDB: "off" }],
    ["go env -w exempts Pulumi's modules from it", { FAKE_GOENV_GONOSUMDB: "github.com/pulumi/*" }],
  ])("does not fetch Pulumi's language host where %s, and builds its own", (_label, env) => {
    const { calls } = provision([], env);
    expect(calls.some((c) => c.startsWith("get "))).toBe(false);
    expect(builds(calls, "./cmd/pulumi-language-nodejs")).toHaveLength(1);
  });
});

describe("scripts/provision-engine.sh without Go: Pulumi's release archive, checked", () => {
  const version = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\S+)/.exec(
    readFileSync(path.join(projectRoot, "tools", "engine", "go.mod"), "utf8"),
  )?.[1];
  const machine = execFileSync("uname", ["-m"], { encoding: "utf8", timeout: 10_000 }).trim();
  const platform = `linux-${machine === "x86_64" ? "x64" : "arm64"}`;
  const archive = `pulumi-v${version}-${platform}.tar.gz`;
  const sums = `pulumi-${version}-checksums.txt`;

  // A curl that serves files from a folder by the URL's last segment, logs every call, and serves
  // a script that leaves a mark for any other URL (the old installer's, say): if anything ever
  // ran a download, the mark shows it.
  const fakeCurl = `#!/bin/sh
echo "$*" >> "$FAKE_CURL_LOG"
out=""; url=""; prev=""
for a in "$@"; do
  [ "$prev" = "-o" ] && out="$a"
  case "$a" in https://*|http://*) url="$a" ;; esac
  prev="$a"
done
file="$FAKE_RELEASES/$(basename "$url")"
[ -f "$file" ] || file="$FAKE_RELEASES/installer.sh"
if [ -n "$out" ]; then cp "$file" "$out"; else cat "$file"; fi
`;

  let releases: string;
  let curlLog: string;
  let mark: string;

  /** Puts the release files in place: the archive (its binaries leave the mark when run). */
  function publish(checksumLine: (digest: string) => string): void {
    const tree = path.join(work, "tree", "pulumi");
    mkdirSync(tree, { recursive: true });
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-language-python"]) {
      writeFileSync(path.join(tree, name), `#!/bin/sh\necho ran >> "${mark}"\necho v${version}\n`);
      chmodSync(path.join(tree, name), 0o755);
    }
    execFileSync("tar", ["-czf", path.join(releases, archive), "-C", path.join(work, "tree"), "pulumi"], {
      timeout: 30_000,
    });
    const digest = createHash("sha256")
      .update(readFileSync(path.join(releases, archive)))
      .digest("hex");
    writeFileSync(
      path.join(releases, sums),
      `${"0".repeat(64)}  pulumi-v${version}-darwin-arm64.tar.gz\n${checksumLine(digest)}\n`,
    );
  }

  function provisionWithoutGo(): { status: number; stderr: string; bin: string; curls: string[] } {
    const result = spawnSync("bash", [path.join(repo, "scripts", "provision-engine.sh")], {
      env: {
        PATH: [path.join(work, "nogo"), "/usr/bin", "/bin"].join(path.delimiter),
        HOME: work,
        IOM_ENGINE_CACHE: path.join(work, "cache"),
        FAKE_CURL_LOG: curlLog,
        FAKE_RELEASES: releases,
      },
      timeout: 60_000,
      encoding: "utf8",
    });
    return {
      status: result.status ?? -1,
      stderr: result.stderr,
      bin: result.stdout.trim().split("\n").pop() ?? "",
      curls: existsSync(curlLog) ? readFileSync(curlLog, "utf8").split("\n").filter(Boolean) : [],
    };
  }

  beforeEach(() => {
    releases = path.join(work, "releases");
    curlLog = path.join(work, "curl.log");
    mark = path.join(work, "ran-a-download");
    mkdirSync(releases);
    mkdirSync(path.join(work, "nogo"));
    writeFileSync(path.join(work, "nogo", "curl"), fakeCurl);
    chmodSync(path.join(work, "nogo", "curl"), 0o755);
    writeFileSync(path.join(releases, "installer.sh"), `#!/bin/sh\necho ran >> "${mark}"\n`);
  });

  it("installs the two binaries from an archive that matches its release checksum, running nothing it fetched", () => {
    publish((digest) => `${digest}  ${archive}`);
    const result = provisionWithoutGo();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${archive} matches its release checksum`);
    expect(result.curls).toEqual([
      expect.stringMatching(
        new RegExp(`--proto =https .*https://get\\.pulumi\\.com/releases/sdk/${archive}$`),
      ),
      expect.stringMatching(
        new RegExp(
          `--proto =https .*https://github\\.com/pulumi/pulumi/releases/download/v${version}/${sums}$`,
        ),
      ),
    ]);
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"])
      expect(existsSync(path.join(result.bin, name)), name).toBe(true);
    expect(existsSync(path.join(result.bin, "pulumi-language-python"))).toBe(false);
    expect(existsSync(mark)).toBe(false);
  });

  it.each([
    [
      "does not match its release checksum",
      (digest: string) => `${digest.replace(/^./, (c) => (c === "0" ? "1" : "0"))}  ${archive}`,
      /does not match its release checksum/,
    ],
    [
      "is not named in the release checksums",
      () => `${"f".repeat(64)}  pulumi-v${version}-windows-x64.zip`,
      /name no pulumi-v/,
    ],
  ])("refuses an archive that %s: nothing installed, nothing run", (_label, line, message) => {
    publish(line);
    const result = provisionWithoutGo();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("refusing to install it");
    expect(existsSync(mark)).toBe(false);
    const cached = path.join(work, "cache");
    const installed = existsSync(cached)
      ? execFileSync("find", [cached, "-name", "pulumi*", "-type", "f"], {
          encoding: "utf8",
          timeout: 10_000,
        }).trim()
      : "";
    expect(installed).toBe("");
  });
});
