// pulumi-language-nodejs for machines where Pulumi's own Node.js language host cannot be had.
//
// Pulumi publishes its Node.js language host as the Go module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the Go module proxy
// our machines reach does not serve, and the `pulumi` npm package only downloads the CLI from
// Pulumi's own site. scripts/ensure-pulumi builds this small host instead, from the same
// pulumi/sdk/v3 release as the CLI. The program itself runs exactly as under Pulumi's host: in
// `node`, through the runner that the program's own @pulumi/pulumi package ships
// (`@pulumi/pulumi/cmd/run`, which also compiles TypeScript with ts-node), and dependencies are
// installed by the SDK's own package-manager code (sdk/v3/nodejs/npm: npm, yarn, pnpm or bun).
//
// What it leaves out: the monitor proxy and the pipes for synchronous invokes (the program talks
// to the engine's monitor directly; `invokeSync` is not supported), debugger attach, the bun
// runtime, node version managers (fnm), plugin packages (RunPlugin), packing and linking, program
// code generation (GenerateProject, GenerateProgram: `pulumi convert`) and parameterized packages
// in GetRequiredPackages. SDK generation (GeneratePackage) is in generate.go.
// `nodeargs` is split on white space, without shell quoting.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The runner's exit code for "the program already showed the user what went wrong".
const exitAfterUserActionableMessage = 32

// The module, resolved from the program's directory, that runs a Pulumi Node.js program.
const runModule = "@pulumi/pulumi/cmd/run"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	cancel        context.Context
	cancelFunc    context.CancelFunc
}

func main() {
	var engineAddress, tracing string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "-version" || arg == "--version":
			fmt.Println(version.Version)
			return
		case arg == "-tracing" || arg == "--tracing":
			if i+1 < len(args) {
				i++
				tracing = args[i]
			}
		case strings.HasPrefix(arg, "-tracing=") || strings.HasPrefix(arg, "--tracing="):
			tracing = arg[strings.Index(arg, "=")+1:]
		case arg == "-runtime=nodejs" || arg == "--runtime=nodejs":
		case strings.HasPrefix(arg, "-runtime") || strings.HasPrefix(arg, "--runtime"):
			fail(fmt.Errorf("only the nodejs runtime is supported by this language host (%s)", arg))
		case !strings.HasPrefix(arg, "-"):
			engineAddress = arg
		}
	}

	interrupted, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	done := make(chan bool)
	go func() { <-interrupted.Done(); close(done) }()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(interrupted, engineAddress, 5*time.Minute, stop); err != nil {
			fail(fmt.Errorf("could not watch the engine: %w", err))
		}
	}

	cancel, cancelFunc := context.WithCancel(context.Background())
	h := &host{engineAddress: engineAddress, tracing: tracing, cancel: cancel, cancelFunc: cancelFunc}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: done,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fail(fmt.Errorf("could not start the language host: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
	os.Exit(1)
}

// nodeOptions are Pulumi.yaml's runtime options for nodejs.
type nodeOptions struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packageManager npm.PackageManagerType
	production     bool
}

func options(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: npm.AutoPackageManager}
	if info == nil {
		return opts, nil
	}
	values := info.GetOptions().AsMap()
	flag := func(name string, into *bool) error {
		if v, ok := values[name]; ok {
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("the %s option must be true or false", name)
			}
			*into = b
		}
		return nil
	}
	text := func(name string) (string, error) {
		v, ok := values[name]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("the %s option must be a string", name)
		}
		return s, nil
	}
	if err := flag("typescript", &opts.typescript); err != nil {
		return opts, err
	}
	if err := flag("production", &opts.production); err != nil {
		return opts, err
	}
	var err error
	if opts.tsconfig, err = text("tsconfig"); err != nil {
		return opts, err
	}
	args, err := text("nodeargs")
	if err != nil {
		return opts, err
	}
	opts.nodeargs = strings.Fields(args)
	manager, err := text("packagemanager")
	if err != nil {
		return opts, err
	}
	switch m := npm.PackageManagerType(manager); m {
	case "":
	case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager, npm.PnpmPackageManager:
		opts.packageManager = m
	default:
		return opts, fmt.Errorf("unsupported packagemanager option: %q (auto, npm, yarn or pnpm)", manager)
	}
	return opts, nil
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// GetRequiredPackages lists the installed npm packages that declare a Pulumi resource plugin
// (`"pulumi": {"resource": true}` in their package.json), under the program's node_modules.
func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	found := map[string]*pulumirpc.PackageDependency{}
	scanNodeModules(filepath.Join(req.GetInfo().GetProgramDirectory(), "node_modules"), found, map[string]bool{})
	packages := make([]*pulumirpc.PackageDependency, 0, len(found))
	for _, p := range found {
		packages = append(packages, p)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// pluginManifest is the part of a package.json that names a resource plugin.
type pluginManifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// scanNodeModules walks one node_modules directory (scoped packages and nested node_modules
// too) and records each plugin package once, by name and version.
func scanNodeModules(dir string, found map[string]*pulumirpc.PackageDependency, seen map[string]bool) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		if strings.HasPrefix(entry.Name(), "@") {
			scoped, err := os.ReadDir(path)
			if err != nil {
				continue
			}
			for _, inner := range scoped {
				visitPackage(filepath.Join(path, inner.Name()), found, seen)
			}
		} else if !strings.HasPrefix(entry.Name(), ".") {
			visitPackage(path, found, seen)
		}
	}
}

func visitPackage(dir string, found map[string]*pulumirpc.PackageDependency, seen map[string]bool) {
	if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		var m pluginManifest
		if json.Unmarshal(data, &m) == nil && m.Pulumi.Resource {
			name := m.Pulumi.Name
			if name == "" {
				name = m.Name
				if i := strings.LastIndex(name, "/"); i >= 0 {
					name = name[i+1:]
				}
			}
			v := m.Pulumi.Version
			if v == "" {
				v = m.Version
			}
			if v != "" && !strings.HasPrefix(v, "v") {
				v = "v" + v
			}
			if name != "" {
				found[name+"@"+v] = &pulumirpc.PackageDependency{
					Name: name, Kind: "resource", Version: v, Server: m.Pulumi.Server,
				}
			}
		}
	}
	scanNodeModules(filepath.Join(dir, "node_modules"), found, seen)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("`node --version` failed: %w", err)
	}
	metadata := map[string]string{}
	if pm, err := npm.ResolvePackageManager(opts.packageManager, req.GetInfo().GetProgramDirectory()); err == nil {
		metadata["packagemanager"] = pm.Name()
		if v, err := pm.Version(); err == nil {
			metadata["packagemanagerVersion"] = v.String()
		}
	}
	return &pulumirpc.AboutResponse{
		Executable: node, Version: strings.TrimSpace(string(out)), Metadata: metadata,
	}, nil
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(opts.packageManager, dir)
	if err != nil {
		return nil, err
	}
	packages, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("could not list the program's npm packages: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(packages))
	for _, p := range packages {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies runs the package manager's install in the program's directory (or in the
// npm/yarn workspace that holds it).
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := options(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := req.GetInfo().GetProgramDirectory()
	if root, err := npm.FindWorkspaceRoot(dir); err == nil {
		fmt.Fprintf(stdout, "Installing in the workspace at %s\n", root)
		dir = root
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return err
	}
	fmt.Fprintln(stdout, "Installing dependencies...")
	name, err := npm.Install(server.Context(), opts.packageManager, dir, opts.production, stdout, stderr)
	if err != nil {
		return fmt.Errorf("%s install failed: %w", name, err)
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return closer.Close()
}

// locateRunner asks node where the program's @pulumi/pulumi runner is, as the program itself
// would resolve it.
func locateRunner(ctx context.Context, node, programDir string) (string, error) {
	if path := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); path != "" {
		programDir, _ = filepath.Abs(programDir)
		if !filepath.IsAbs(path) {
			path = filepath.Join(programDir, path)
		}
		return path, nil
	}
	script := fmt.Sprintf("process.stdout.write(require.resolve(%q))", runModule)
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s cannot be found from %s: install the program's dependencies "+
			"(`pulumi install` or `npm install`) first", runModule, programDir)
	}
	return strings.TrimSpace(string(out)), nil
}

// Run runs the program in node through its @pulumi/pulumi runner.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on PATH: %v", err)}, nil
	}
	programDir := req.GetInfo().GetProgramDirectory()
	runner, err := locateRunner(ctx, node, programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runner)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", h.tracing)
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	values, keys := req.GetConfig(), req.GetConfigSecretKeys()
	if values == nil {
		values = map[string]string{}
	}
	if keys == nil {
		keys = []string{}
	}
	config, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	runCtx, stopRun := context.WithCancel(h.cancel)
	defer stopRun()
	context.AfterFunc(ctx, stopRun)
	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// node may switch its stdio to non-blocking mode: give it pipes, not our own descriptors.
	cmd.Stdout, cmd.Stderr = struct{ io.Writer }{os.Stdout}, struct{ io.Writer }{os.Stderr}
	cmd.Env = env

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
		}
		if exitErr.ExitCode() == exitAfterUserActionableMessage {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}
