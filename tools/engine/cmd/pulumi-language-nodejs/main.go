// Command pulumi-language-nodejs is iom-gitops's stand-in for Pulumi's Node.js language host.
//
// Why it exists: Pulumi's own host lives in a nested Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that the Go module proxy
// reachable from our build machines does not serve, while the engine itself (pkg/v3) and the SDK
// (sdk/v3) are served. scripts/provision-engine.sh tries the upstream host first and builds this
// one only when that fails (docs/adr/0002-engine-provisioning.md).
//
// Scope: it implements what `pulumi preview/up/refresh/destroy` need for a compiled JavaScript
// program and Pulumi dynamic providers: Run (start the program under @pulumi/pulumi's own
// `cmd/run` entry point, exactly as the SDK expects), GetPluginInfo, and empty answers for
// plugin/package discovery and dependency installation (npm manages dependencies here). Code
// generation, `pulumi about` details and policy packs answer Unimplemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "0.0.0-dev"

// exitedAfterLoggingUserActionableMessage is the exit code @pulumi/pulumi's cmd/run uses when it
// has already reported the error to the user; the engine must then not print a second one.
const exitedAfterLoggingUserActionableMessage = 32

func main() {
	engineAddress := ""
	// The engine passes its address as the one positional argument and may add logging flags
	// (-v=N, --logtostderr, --tracing=...); those are accepted and ignored.
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") && engineAddress == "" {
			engineAddress = arg
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{engineAddress: engineAddress})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func (h *host) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins answers "none": the only plugin a dynamic-provider program needs is
// pulumi-resource-pulumi-nodejs, which the engine finds on PATH next to this host.
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies does nothing: the project's own set-up runs `npm ci`.
func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	pwd := req.GetPwd()
	runScript, err := resolveRunScript(ctx, pwd)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args, env, err := h.programCommand(req, runScript)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = pwd
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitedAfterLoggingUserActionableMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// programCommand builds the arguments for `node` and the environment additions that
// @pulumi/pulumi's cmd/run reads (its flags, and the stack's config as JSON).
func (h *host) programCommand(req *pulumirpc.RunRequest, runScript string) ([]string, []string, error) {
	args := []string{runScript, "--monitor=" + req.GetMonitorAddress()}
	if h.engineAddress != "" {
		args = append(args, "--engine="+h.engineAddress)
	}
	if v := req.GetOrganization(); v != "" {
		args = append(args, "--organization="+v)
	}
	args = append(args, "--project="+req.GetProject(), "--stack="+req.GetStack(), "--pwd="+req.GetPwd())
	if info := req.GetInfo(); info != nil && info.GetRootDirectory() != "" {
		args = append(args, "--root-directory="+info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if p := req.GetParallel(); p > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(p)))
	}
	args = append(args, programPath(req))
	args = append(args, req.GetArgs()...)

	// The SDK parses both variables with JSON.parse and iterates them: an absent map or list must
	// be sent as {} and [], never as null.
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, nil, err
	}
	env := []string{"PULUMI_CONFIG=" + string(configJSON), "PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeysJSON)}
	return args, env, nil
}

// programPath is the program to start: the project's `main` resolved against its directory.
func programPath(req *pulumirpc.RunRequest) string {
	if info := req.GetInfo(); info != nil && info.GetEntryPoint() != "" {
		entry := info.GetEntryPoint()
		if filepath.IsAbs(entry) {
			return entry
		}
		return filepath.Join(info.GetProgramDirectory(), entry)
	}
	program := req.GetProgram() //nolint:staticcheck // older engines send only this
	if program == "" {
		program = "."
	}
	if filepath.IsAbs(program) {
		return program
	}
	return filepath.Join(req.GetPwd(), program)
}

// resolveRunScript finds @pulumi/pulumi/cmd/run the way Node would from the program's directory,
// so the SDK version the program installed is the one that runs it. The usual layout is resolved
// here (findPackageScript); anything else is left to Node itself, which costs a Node.js start
// (about 0.08 s of CPU) in every engine command.
func resolveRunScript(ctx context.Context, pwd string) (string, error) {
	if script, ok := findPackageScript(pwd, "@pulumi/pulumi", "cmd/run"); ok {
		return script, nil
	}
	cmd := exec.CommandContext(ctx, "node", "-e", "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run'))")
	cmd.Dir = pwd
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find @pulumi/pulumi from %s (run npm install there): %v: %s", pwd, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// findPackageScript resolves require.resolve("<pkg>/<subpath>") from dir for the one layout an
// installed SDK has: the package in the node_modules folder of dir or of its nearest parent that
// has the package, no "exports" map in its package.json, no file named like the subpath, and the
// subpath a folder with an index.js and no package.json of its own. It answers the index.js with
// symbolic links resolved, as Node does. For any other layout it answers false, and the caller asks
// Node, so that it never answers differently from Node (Node's module resolution algorithm,
// nodejs.org/api/modules.html, "All together").
func findPackageScript(dir, pkg, subpath string) (string, bool) {
	for {
		// Node does not look in node_modules/node_modules.
		if filepath.Base(dir) != "node_modules" {
			root := filepath.Join(dir, "node_modules", filepath.FromSlash(pkg))
			if _, err := os.Stat(root); err == nil {
				manifest, err := os.ReadFile(filepath.Join(root, "package.json"))
				if err != nil {
					return "", false
				}
				var fields map[string]json.RawMessage
				if json.Unmarshal(manifest, &fields) != nil {
					return "", false
				}
				if _, exports := fields["exports"]; exports {
					return "", false
				}
				target := filepath.Join(root, filepath.FromSlash(subpath))
				for _, ext := range []string{"", ".js", ".json", ".node"} {
					if info, err := os.Stat(target + ext); err == nil && !info.IsDir() {
						return "", false
					}
				}
				if _, err := os.Stat(filepath.Join(target, "package.json")); err == nil {
					return "", false
				}
				index := filepath.Join(target, "index.js")
				if info, err := os.Stat(index); err != nil || info.IsDir() {
					return "", false
				}
				real, err := filepath.EvalSymlinks(index)
				if err != nil {
					return "", false
				}
				return real, true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
