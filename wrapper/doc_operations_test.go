package wrapper

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// restOperation is how a doc comment names a REST operation.
var restOperation = regexp.MustCompile(`\b(GET|POST|PATCH|DELETE)\s+/v1/`)

// TestIOMethodsNameTheirRESTOperation: every exported method of *Client
// that does I/O (reaches begin, which every operation opens with, through
// the package's own calls) names its REST operation in its doc comment,
// such as "GET /v1/customers/{customer-id}/deviceBatches".
func TestIOMethodsNameTheirRESTOperation(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := map[string]map[string]bool{} // function or method name -> names it calls
	docs := map[string]string{}           // exported method of *Client -> its doc
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil && isClient(fn.Recv.List[0].Type) && fn.Name.IsExported() {
				docs[name] = fn.Doc.Text()
			}
			set := calls[name]
			if set == nil {
				set = map[string]bool{}
				calls[name] = set
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if callee := calleeName(call.Fun); callee != "" {
						set[callee] = true
					}
				}
				return true
			})
		}
	}
	// Names are not qualified by type: a name shared by a method of
	// another type counts as a call to either, which can only make a
	// method look like I/O, never hide one.
	var io func(name string, seen map[string]bool) bool
	io = func(name string, seen map[string]bool) bool {
		if name == "begin" {
			return true
		}
		if seen[name] {
			return false
		}
		seen[name] = true
		for callee := range calls[name] {
			if io(callee, seen) {
				return true
			}
		}
		return false
	}
	var checked []string
	for name, doc := range docs {
		if !io(name, map[string]bool{}) {
			continue
		}
		checked = append(checked, name)
		if !restOperation.MatchString(doc) {
			t.Errorf("(*Client).%s does I/O but its doc comment names no REST operation (like GET /v1/customers/{customer-id}/deviceBatches)", name)
		}
	}
	sort.Strings(checked)
	if len(checked) < 10 {
		t.Fatalf("found only %d I/O methods (%v): the call graph is not being read", len(checked), checked)
	}
}

func isClient(e ast.Expr) bool {
	star, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Client"
}

// calleeName is the name a call expression calls: f, x.f, f[T], x.f[T].
func calleeName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr:
		return calleeName(f.X)
	case *ast.IndexListExpr:
		return calleeName(f.X)
	}
	return ""
}
