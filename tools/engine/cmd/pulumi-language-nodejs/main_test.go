package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestProgramCommandSendsEmptyConfigAsJSONObject(t *testing.T) {
	h := &host{engineAddress: "127.0.0.1:1"}
	_, env, err := h.programCommand(&pulumirpc.RunRequest{Pwd: "/p", MonitorAddress: "127.0.0.1:2"}, "/run.js")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PULUMI_CONFIG={}", "PULUMI_CONFIG_SECRET_KEYS=[]"}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("env = %v, want %v", env, want)
	}
}

func TestProgramCommandPassesRunFlagsAndResolvesEntryPoint(t *testing.T) {
	h := &host{engineAddress: "127.0.0.1:1"}
	args, env, err := h.programCommand(&pulumirpc.RunRequest{
		Pwd:              "/proj",
		MonitorAddress:   "127.0.0.1:2",
		Project:          "iom",
		Stack:            "dev",
		Organization:     "org",
		DryRun:           true,
		Parallel:         4,
		Config:           map[string]string{"iom:url": "http://x"},
		ConfigSecretKeys: []string{"iom:token"},
		Info:             &pulumirpc.ProgramInfo{RootDirectory: "/proj", ProgramDirectory: "/proj", EntryPoint: "dist/program/index.js"},
		Args:             []string{"extra"},
	}, "/run.js")
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{
		"/run.js", "--monitor=127.0.0.1:2", "--engine=127.0.0.1:1", "--organization=org",
		"--project=iom", "--stack=dev", "--pwd=/proj", "--root-directory=/proj", "--dry-run", "--parallel=4",
		"/proj/dist/program/index.js", "extra",
	}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Fatalf("args = %v\nwant   %v", args, wantArgs)
	}
	wantEnv := []string{`PULUMI_CONFIG={"iom:url":"http://x"}`, `PULUMI_CONFIG_SECRET_KEYS=["iom:token"]`}
	if !reflect.DeepEqual(env, wantEnv) {
		t.Fatalf("env = %v, want %v", env, wantEnv)
	}
}

func TestProgramPathKeepsAbsoluteEntryPoint(t *testing.T) {
	got := programPath(&pulumirpc.RunRequest{Pwd: "/tmp/x", Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/tmp/x", EntryPoint: "/repo/dist/program/smoke.js"}})
	if got != "/repo/dist/program/smoke.js" {
		t.Fatalf("programPath = %q", got)
	}
}

// layout writes files (path -> content) under a new temporary folder; a content of "->target" makes
// a symbolic link instead.
func layout(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(filepath.Join(root, filepath.FromSlash(target)), p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFindPackageScriptAgreesWithNode(t *testing.T) {
	sdk := map[string]string{
		"store/node_modules/@pulumi/pulumi/package.json":       `{"name":"@pulumi/pulumi","version":"3.276.0"}`,
		"store/node_modules/@pulumi/pulumi/cmd/run/index.js":   "",
		"store/node_modules/@pulumi/pulumi/cmd/run/run.js":     "",
		"store/node_modules/@pulumi/pulumi/cmd/dynamic/x.js":   "",
		"store/node_modules/@pulumi/pulumi/typescript-shim.js": "",
	}
	with := func(extra map[string]string) map[string]string {
		files := map[string]string{"project/program/main.js": ""}
		for k, v := range sdk {
			files[k] = v
		}
		for k, v := range extra {
			files[k] = v
		}
		return files
	}
	cases := []struct {
		name  string
		files map[string]string
		// The script found here, relative to the layout, or "" for "ask Node".
		want string
	}{
		{"the package in a parent's node_modules", with(map[string]string{"project/node_modules": "->store/node_modules"}),
			"store/node_modules/@pulumi/pulumi/cmd/run/index.js"},
		{"a package with an exports map", with(map[string]string{
			"project/node_modules":                           "->store/node_modules",
			"store/node_modules/@pulumi/pulumi/package.json": `{"name":"@pulumi/pulumi","exports":{"./cmd/run":"./cmd/run/index.js"}}`,
		}), ""},
		{"a file named like the subpath", with(map[string]string{
			"project/node_modules":                         "->store/node_modules",
			"store/node_modules/@pulumi/pulumi/cmd/run.js": "",
		}), ""},
		{"a package.json in the subpath's folder", with(map[string]string{
			"project/node_modules": "->store/node_modules",
			"store/node_modules/@pulumi/pulumi/cmd/run/package.json": `{"main":"run.js"}`,
		}), ""},
		{"no package", map[string]string{"project/program/main.js": ""}, ""},
	}
	// The language host starts programs with this node; the checks run with it on PATH (scripts/run.sh).
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH, and these cases compare with it: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := layout(t, c.files)
			from := filepath.Join(root, "project", "program")
			got, ok := findPackageScript(from, "@pulumi/pulumi", "cmd/run")
			want := ""
			if c.want != "" {
				// t.TempDir may itself sit behind a symbolic link.
				realRoot, err := filepath.EvalSymlinks(root)
				if err != nil {
					t.Fatal(err)
				}
				want = filepath.Join(realRoot, filepath.FromSlash(c.want))
			}
			if !ok {
				got = ""
			}
			if got != want {
				t.Fatalf("findPackageScript = %q, %v; want %q", got, ok, want)
			}
			if !ok {
				return
			}
			// Where it answers, Node answers the same.
			cmd := exec.Command(node, "-e", "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run'))")
			cmd.Dir = from
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			if string(out) != got {
				t.Fatalf("node resolves %q, findPackageScript %q", out, got)
			}
		})
	}
}
