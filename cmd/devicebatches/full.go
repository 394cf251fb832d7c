//go:build full

package main

// The full build (go build -tags full, shipped as devicebatches-full) links
// the built-in sandbox and contract validation and runs them in-process.
// The lean build leaves this file out and hands command lines that need
// them to the full build (features.go).
import _ "github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/full"
