//go:build !full

package main

// The tests run every feature in-process, as the full build does; with
// -tags full, full.go imports the same package.
import _ "github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/full"
