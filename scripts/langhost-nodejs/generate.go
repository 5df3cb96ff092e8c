// GeneratePackage: a Node.js SDK from a package schema, written by Pulumi's own Node.js code
// generator (github.com/pulumi/pulumi/pkg/v3/codegen/nodejs), the one Pulumi's host uses. This
// is what `pulumi package gen-sdk --language nodejs` asks the host for; it is the one part of
// this host that needs pkg/v3, so scripts/ensure-pulumi builds the host in a wrapper module with
// pkg/v3's replace lines, as it builds the CLI.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The tool name the generator writes into each file's "do not edit" header.
const generatorName = "pulumi-language-nodejs"

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if req.GetLoaderTarget() == "" {
		return nil, errors.New("GeneratePackage needs the engine's schema loader (loader_target)")
	}
	client, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, fmt.Errorf("could not reach the schema loader: %w", err)
	}
	defer client.Close()
	references := schema.NewCachedLoader(client)

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("the schema is not valid JSON: %w", err)
	}
	// Types of other packages the schema names are loaded on demand, and may be left unresolved.
	bound, diags, err := schema.BindSpec(spec, references, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	reported := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: reported}, nil
	}

	files, err := nodejsgen.GeneratePackage(
		generatorName, bound, req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), references,
	)
	if err != nil {
		return nil, fmt.Errorf("could not generate the Node.js SDK: %w", err)
	}
	if err := writeTree(req.GetDirectory(), files); err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: reported}, nil
}

// writeTree writes each generated file under root, making the directories it needs.
func writeTree(root string, files map[string][]byte) error {
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("could not create %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return fmt.Errorf("could not write %s: %w", path, err)
		}
	}
	return nil
}
