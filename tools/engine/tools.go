//go:build tools

// Package tools pins the Pulumi engine that scripts/provision-engine.sh builds. Its go.mod
// repeats the replace directives of github.com/pulumi/pulumi/pkg/v3's own go.mod, because Go
// ignores the replaces of a dependency.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
