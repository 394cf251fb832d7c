package wrapper

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// as reports whether errors.As finds a T in err.
func as[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// TestZeroErrorValues: every exported error type's zero value (as a
// caller builds one by hand, in a test or a fake) gives one line from
// Error and does not panic in Error or Unwrap, and errors.As still finds
// it. The list is checked against the package's source, so a new error
// type must join it.
func TestZeroErrorValues(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err error
		as  func(error) bool
	}{
		"ResponseError":           {&ResponseError{}, as[*ResponseError]},
		"DecodeError":             {&DecodeError{}, as[*DecodeError]},
		"InvalidArgumentError":    {&InvalidArgumentError{}, as[*InvalidArgumentError]},
		"PagingError":             {&PagingError{}, as[*PagingError]},
		"NetworkError":            {&NetworkError{Method: "GET"}, as[*NetworkError]},
		"AuthenticationError":     {&AuthenticationError{}, as[*AuthenticationError]},
		"UserSignInRequiredError": {&UserSignInRequiredError{}, as[*UserSignInRequiredError]},
		"ThrottlePauseError":      {&ThrottlePauseError{}, as[*ThrottlePauseError]},
		"TooManyItemsError":       {&TooManyItemsError{}, as[*TooManyItemsError]},
		"PanicError":              {&PanicError{}, as[*PanicError]},
		"StallError":              {&StallError{}, as[*StallError]},
		"PropertyError":           {&PropertyError{}, as[*PropertyError]},
	}
	for _, name := range exportedErrorTypes(t) {
		if _, ok := cases[name]; !ok {
			t.Errorf("exported error type %s is not in this test's table", name)
		}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var msg string
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("Error or Unwrap panicked: %v", p)
					}
				}()
				msg = tc.err.Error()
				_ = errors.Unwrap(tc.err)
				if u, ok := tc.err.(interface{ Unwrap() []error }); ok {
					_ = u.Unwrap()
				}
			}()
			if strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("Error() = %q, want one line", msg)
			}
			if !tc.as(fmt.Errorf("listing: %w", tc.err)) {
				t.Error("errors.As does not find it")
			}
		})
	}
}

// exportedErrorTypes lists the exported types of the package (its non-test
// files) with an Error method.
func exportedErrorTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Error" || len(fn.Recv.List) != 1 {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok && ast.IsExported(id.Name) {
				names = append(names, id.Name)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("found no error type in the package's source")
	}
	return names
}
