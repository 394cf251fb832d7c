// Package generated is the typed Partner Center client produced by
// oapi-codegen from openapi/partnercenter.yaml. Do not edit it: change the
// document and run `go generate ./...`. Users call package wrapper instead.
package generated

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config config.yaml ../openapi/partnercenter.yaml
