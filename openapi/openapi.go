// Package openapi embeds partnercenter.yaml, the hand-written OpenAPI 3
// document of the Partner Center device-batch operations. It is the single
// source of truth for the generated client (generated/), the built-in sandbox
// and the contract tests, which all read these bytes; internal/contract
// parses and validates them.
package openapi

import _ "embed"

// Document is the OpenAPI document, byte for byte as written in
// partnercenter.yaml.
//
//go:embed partnercenter.yaml
var Document []byte
