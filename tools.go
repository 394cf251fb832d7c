//go:build tools

// Package tools pins the code generator's version in go.mod, so that
// `go generate ./...` runs exactly the oapi-codegen this module was built with.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
