package permafrosttest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goCommand finds the go command (go test puts its own first in PATH); it
// skips the test when there is none, unless PERMAFROST_E2E=1.
func goCommand(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("PERMAFROST_E2E") == "1" {
			t.Fatalf("PERMAFROST_E2E=1 but the go command is missing: %v", err)
		}
		t.Skipf("skipping: the go command is missing (%v); set PERMAFROST_E2E=1 to make this a failure", err)
	}
	return gocmd
}

// extmodGo runs the go command in testdata/extmod, a module of its own
// that requires permafrost through a replace directive. GOWORK=off keeps
// a workspace out of it and GOFLAGS is emptied, so that flags meant for
// this run (-count, -timeout, -race, -mod) do not leak into that one.
func extmodGo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(goCommand(t), args...)
	cmd.Dir = filepath.Join("..", "testdata", "extmod")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestExternalModule runs the test of testdata/extmod: another module
// uses permafrosttest.New(t), a client, a job delay and AdvanceClock
// through the public API alone. Its testdata/internaluse, which imports
// an internal package, must be refused by the go command, so that the
// passing test proves the public API suffices.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: builds and runs another module's tests")
	}
	out, err := extmodGo(t, "test", "-count=1", "./...")
	if err != nil {
		t.Fatalf("go test ./... in testdata/extmod: %v\n%s", err, out)
	}
	t.Logf("testdata/extmod: %s", strings.TrimSpace(out))

	out, err = extmodGo(t, "build", "-o", os.DevNull, "./testdata/internaluse")
	if err == nil {
		t.Fatal("another module built an import of permafrost/internal/config")
	}
	if !strings.Contains(out, "use of internal package permafrost/internal/config not allowed") {
		t.Fatalf("importing permafrost/internal/config from another module failed, but not as internal: %v\n%s", err, out)
	}
}

// TestNoInternalTypesInAPI checks, on the package's source, that no
// exported function, method, type, field, variable or constant names a
// type of an internal package.
func TestNoInternalTypesInAPI(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		internal := map[string]string{} // local name -> import path
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path != "permafrost/internal" && !strings.HasPrefix(path, "permafrost/internal/") {
				continue
			}
			local := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			internal[local] = path
		}
		check := func(what string, n ast.Node) {
			if n == nil {
				return
			}
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && internal[x.Name] != "" {
						t.Errorf("%s: %s uses %s.%s (%s)", fset.Position(sel.Pos()), what, x.Name, sel.Sel.Name, internal[x.Name])
					}
				}
				return true
			})
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
					continue
				}
				check(d.Name.Name, d.Type)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							checkType(s.Name.Name, s.Type, check)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								check(n.Name, s.Type)
								for _, v := range s.Values {
									check(n.Name, v)
								}
							}
						}
					}
				}
			}
		}
	}
}

// checkType checks an exported type, of a struct only its exported fields
// (unexported ones are out of other modules' sight).
func checkType(name string, typ ast.Expr, check func(string, ast.Node)) {
	st, ok := typ.(*ast.StructType)
	if !ok {
		check(name, typ)
		return
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.IsExported() {
				check(name+"."+n.Name, f.Type)
			}
		}
		if len(f.Names) == 0 { // an embedded field is exported under its type's name
			check(name, f.Type)
		}
	}
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
