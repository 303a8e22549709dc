package main

import (
	"reflect"
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
