package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/partnercenter-go/devicebatches/internal/guid"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
	"github.com/partnercenter-go/devicebatches/openapi"
)

// SchemaOptions are the schema validation options every consumer uses: the
// document says `format: uuid` for customer, request and correlation ids, and
// kin-openapi checks that format only when told how.
func SchemaOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(guid.Pattern)),
	}
}

// Load parses and validates the embedded document (examples included).
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapi.Document)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse partnercenter.yaml: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi: partnercenter.yaml is invalid: %w", err)
	}
	return doc, nil
}

// NewRouter loads the document and returns a router that matches requests
// by path and method on any host: the sandbox and test servers listen on
// loopback addresses, not on the servers the document names.
func NewRouter() (*openapi3.T, routers.Router, error) {
	doc, err := Load()
	if err != nil {
		return nil, nil, err
	}
	doc.Servers = nil
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: router: %w", err)
	}
	return doc, r, nil
}

// FilterOptions returns openapi3filter options for validating traffic
// against the document: uuid formats checked, response statuses the
// document does not list refused, and a bearer token required where the
// document asks for one.
func FilterOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              false,
		AuthenticationFunc:      RequireBearer,
		SchemaValidationOptions: SchemaOptions(),
	}
}

// EmptyBodyExtension names, on a response of the document, a header whose
// presence makes an empty body acceptable where the response otherwise
// has content: an accepted upload's status link comes in Location or in
// the body of a 200 (UploadStatusLink), which OpenAPI 3.0 cannot say.
const EmptyBodyExtension = "x-empty-body-when-header"

// EmptyBodyAllowed reports whether resp may come with an empty body given
// the answer's headers: it has no content, or it names in
// EmptyBodyExtension a header the answer carries (not blank).
func EmptyBodyAllowed(resp *openapi3.Response, header http.Header) bool {
	if resp == nil {
		return false
	}
	if len(resp.Content) == 0 {
		return true
	}
	name, _ := resp.Extensions[EmptyBodyExtension].(string)
	return name != "" && strings.TrimSpace(header.Get(name)) != ""
}

// ErrNoBearer is returned by RequireBearer for a missing or malformed
// Authorization header.
var ErrNoBearer = errors.New(`the Authorization header must be "Bearer <token>"`)

// RequireBearer is an openapi3filter.AuthenticationFunc that accepts any
// well-formed bearer token: validation checks the shape, not the identity.
// Well formed is RFC 6750's b64token (pchttp.TokenProblem), as every
// Entra ID token is: "Bearer a b", a quoted token and one with control or
// non-ASCII characters are malformed.
func RequireBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme == nil || in.SecurityScheme.Type != "http" || in.SecurityScheme.Scheme != "bearer" {
		return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
	}
	scheme, token, ok := cutSpace(in.RequestValidationInput.Request.Header.Get("Authorization"))
	if !ok || token == "" || !equalFoldASCII(scheme, "Bearer") {
		return ErrNoBearer
	}
	if pchttp.TokenProblem(token) != "" {
		return ErrNoBearer
	}
	return nil
}

func cutSpace(h string) (before, after string, ok bool) {
	for i := 0; i < len(h); i++ {
		if h[i] == ' ' {
			return h[:i], h[i+1:], true
		}
	}
	return h, "", false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
