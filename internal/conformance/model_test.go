package conformance

// The reduced service model and the checks that compare a wire value with a
// modelled shape. Nothing here knows about permafrost.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// modelPath is the reduced model, made by testdata/model/reduce.py.
const modelPath = "../../testdata/model/glacier-2012-06-01.json"

// serviceModel is the part of a botocore service model the checks read.
type serviceModel struct {
	Metadata   map[string]any        `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *shapeRef  `json:"input"`
	Output *shapeRef  `json:"output"`
	Errors []shapeRef `json:"errors"`
}

// status is the modelled success status; botocore's default is 200.
func (o *operation) status() int {
	if o.HTTP.ResponseCode == 0 {
		return 200
	}
	return o.HTTP.ResponseCode
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type shape struct {
	Type      string             `json:"type"`
	Members   map[string]*member `json:"members"`
	Required  []string           `json:"required"`
	Payload   string             `json:"payload"`
	Enum      []string           `json:"enum"`
	Member    *shapeRef          `json:"member"`
	Key       *shapeRef          `json:"key"`
	Value     *shapeRef          `json:"value"`
	Streaming bool               `json:"streaming"`
	Exception bool               `json:"exception"`
	Error     *struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`
}

type member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

// wireName is the name of m on the wire: its locationName when it has one,
// else its member name.
func (m *member) wireName(name string) string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return name
}

// loadModel reads and sanity-checks the reduced model.
func loadModel(tb testing.TB) *serviceModel {
	tb.Helper()
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		tb.Fatalf("reading the reduced model: %v (regenerate it with testdata/model/reduce.py)", err)
	}
	var m serviceModel
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("decoding %s: %v", modelPath, err)
	}
	if len(m.Operations) == 0 || len(m.Shapes) == 0 {
		tb.Fatalf("%s has no operations or no shapes", modelPath)
	}
	for name, op := range m.Operations {
		for _, ref := range append([]shapeRef{deref(op.Input), deref(op.Output)}, op.Errors...) {
			if ref.Shape != "" && m.Shapes[ref.Shape] == nil {
				tb.Fatalf("model: operation %s refers to missing shape %s", name, ref.Shape)
			}
		}
	}
	return &m
}

func deref(r *shapeRef) shapeRef {
	if r == nil {
		return shapeRef{}
	}
	return *r
}

// shape returns the named shape; a dangling reference is a broken model.
func (m *serviceModel) shape(name string) *shape {
	s := m.Shapes[name]
	if s == nil {
		panic("model: no shape " + name)
	}
	return s
}

// operationNames returns the modelled operations, sorted.
func (m *serviceModel) operationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errorCodes returns the error shapes the model lists for op.
func (m *serviceModel) errorCodes(op string) []string {
	var out []string
	for _, e := range m.Operations[op].Errors {
		out = append(out, e.Shape)
	}
	return out
}

// errorStatus returns the modelled HTTP status of an error code, or 0 when
// the model has no such exception.
func (m *serviceModel) errorStatus(code string) int {
	s := m.Shapes[code]
	if s == nil || !s.Exception || s.Error == nil {
		return 0
	}
	return s.Error.HTTPStatusCode
}

// deviation is one way a wire value differs from its modelled shape. path
// names the member with "[]" for list items and "{}" for map values, so the
// same deviation in many items reads once.
type deviation struct {
	Path string
	Msg  string
}

func (d deviation) String() string { return d.Path + ": " + d.Msg }

// checker compares decoded JSON (decoded with UseNumber) with shapes.
type checker struct {
	m    *serviceModel
	devs []deviation
	// checked counts the members compared, for the table.
	checked int
}

func (c *checker) fail(path, format string, args ...any) {
	d := deviation{Path: path, Msg: fmt.Sprintf(format, args...)}
	if !slices.Contains(c.devs, d) {
		c.devs = append(c.devs, d)
	}
}

// body checks a JSON object against the body members of structure s: the
// members with no location (header, uri, querystring, statusCode ...). Each
// must appear as a key, with a value of its modelled type or null (null
// only when the member is not required); keys the model does not know are
// deviations too.
func (c *checker) body(path string, s *shape, obj map[string]any) {
	known := map[string]bool{}
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		mem := s.Members[name]
		if mem.Location != "" {
			continue
		}
		key := mem.wireName(name)
		known[key] = true
		p := join(path, key)
		v, ok := obj[key]
		c.checked++
		if !ok {
			c.fail(p, "member missing from the response (the model has it as %s)", c.m.shape(mem.Shape).Type)
			continue
		}
		if v == nil {
			if slices.Contains(s.Required, name) {
				c.fail(p, "null, but the model marks it required")
			}
			continue
		}
		c.value(p, mem.Shape, v)
	}
	extra := []string{}
	for k := range obj {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		c.fail(join(path, k), "key not in the model")
	}
}

// value checks one non-null JSON value against the named shape.
func (c *checker) value(path, shapeName string, v any) {
	s := c.m.shape(shapeName)
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "want a JSON object (structure %s), got %s", shapeName, jsonKind(v))
			return
		}
		c.body(path, s, obj)
	case "list":
		arr, ok := v.([]any)
		if !ok {
			c.fail(path, "want a JSON array (list %s), got %s", shapeName, jsonKind(v))
			return
		}
		for _, item := range arr {
			if item == nil {
				c.fail(path+"[]", "null list item")
				continue
			}
			c.value(path+"[]", s.Member.Shape, item)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "want a JSON object (map %s), got %s", shapeName, jsonKind(v))
			return
		}
		for _, item := range obj {
			if item == nil {
				c.fail(path+"{}", "null map value")
				continue
			}
			c.value(path+"{}", s.Value.Shape, item)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			c.fail(path, "want a JSON string (%s), got %s", shapeName, jsonKind(v))
			return
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			c.fail(path, "%q is not one of the model's %s values %v", str, shapeName, s.Enum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			c.fail(path, "want a JSON boolean (%s), got %s", shapeName, jsonKind(v))
		}
	case "long", "integer":
		n, ok := v.(json.Number)
		if !ok {
			c.fail(path, "want a JSON number (%s, %s), got %s", shapeName, s.Type, jsonKind(v))
			return
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		switch {
		case err != nil:
			c.fail(path, "want an integral number (%s), got %s", s.Type, n)
		case s.Type == "integer" && (i < math.MinInt32 || i > math.MaxInt32):
			c.fail(path, "%d overflows an integer", i)
		}
	case "double", "float":
		if _, ok := v.(json.Number); !ok {
			c.fail(path, "want a JSON number (%s), got %s", s.Type, jsonKind(v))
		}
	case "timestamp":
		switch v.(type) {
		case string, json.Number:
		default:
			c.fail(path, "want a timestamp (string or number), got %s", jsonKind(v))
		}
	case "blob":
		if _, ok := v.(string); !ok {
			c.fail(path, "want a base64 JSON string (blob), got %s", jsonKind(v))
		}
	default:
		c.fail(path, "the checker does not know the model type %q", s.Type)
	}
}

// header checks the text of a header bound to a member of the named shape.
func (c *checker) header(name, shapeName, text string) {
	s := c.m.shape(shapeName)
	switch s.Type {
	case "long", "integer":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			c.fail(name, "header %q is not an integer (%s)", text, s.Type)
		}
	case "boolean":
		if text != "true" && text != "false" {
			c.fail(name, "header %q is not a boolean", text)
		}
	case "string":
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, text) {
			c.fail(name, "header %q is not one of %v", text, s.Enum)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number (" + v.String() + ")"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// decodeJSON decodes b keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("content after the JSON value")
	}
	return v, nil
}

// TestReducedModel checks the reduced model itself: it is the 2012-06-01
// Glacier model, its source is recorded, and no documentation survived.
func TestReducedModel(t *testing.T) {
	m := loadModel(t)
	if got := m.Metadata["apiVersion"]; got != "2012-06-01" {
		t.Errorf("apiVersion = %v, want 2012-06-01", got)
	}
	if got := m.Metadata["protocol"]; got != "rest-json" {
		t.Errorf("protocol = %v, want rest-json", got)
	}
	if src, _ := m.Metadata["x-source"].(string); !strings.HasPrefix(src, "botocore ") {
		t.Errorf("metadata x-source = %q, want the botocore version it was reduced from", src)
	}
	if n := len(m.Operations); n != 33 {
		t.Errorf("the model has %d operations, want 33", n)
	}
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"documentation"`, `"documentationUrl"`, `"examples"`} {
		if strings.Contains(string(raw), k) {
			t.Errorf("the reduced model still has %s keys", k)
		}
	}
	for name, op := range m.Operations {
		if op.Name != name {
			t.Errorf("operation %s is named %q inside", name, op.Name)
		}
		if op.HTTP.Method == "" || !strings.HasPrefix(op.HTTP.RequestURI, "/{accountId}/") {
			t.Errorf("operation %s has no usable http binding: %+v", name, op.HTTP)
		}
	}
}

// TestChecker makes sure the member checks catch what they exist to catch,
// so a passing conformance run means something.
func TestChecker(t *testing.T) {
	m := loadModel(t)
	run := func(shapeName, body string) []string {
		t.Helper()
		v, err := decodeJSON([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		c := &checker{m: m}
		c.value("", shapeName, v)
		var out []string
		for _, d := range c.devs {
			out = append(out, d.String())
		}
		return out
	}
	good := `{"CreationDate":"2012-03-20T17:03:43.221Z","LastInventoryDate":null,"NumberOfArchives":0,` +
		`"SizeInBytes":0,"VaultARN":"arn:aws:glacier:us-east-1:123456789012:vaults/v","VaultName":"v"}`
	if devs := run("DescribeVaultOutput", good); len(devs) != 0 {
		t.Errorf("a conforming DescribeVault body was faulted: %v", devs)
	}
	for _, tc := range []struct{ shape, body, want string }{
		{"DescribeVaultOutput", `{"CreationDate":"x","LastInventoryDate":null,"NumberOfArchives":0,"SizeInBytes":0,"VaultARN":"a"}`,
			"VaultName: member missing"},
		{"DescribeVaultOutput", `{"CreationDate":"x","LastInventoryDate":null,"NumberOfArchives":"0","SizeInBytes":0,"VaultARN":"a","VaultName":"v"}`,
			"NumberOfArchives: want a JSON number"},
		{"DescribeVaultOutput", `{"CreationDate":"x","LastInventoryDate":null,"NumberOfArchives":1.5,"SizeInBytes":0,"VaultARN":"a","VaultName":"v"}`,
			"NumberOfArchives: want an integral number"},
		{"DescribeVaultOutput", `{"CreationDate":"x","LastInventoryDate":null,"NumberOfArchives":0,"SizeInBytes":0,"VaultARN":"a","VaultName":"v","Extra":1}`,
			"Extra: key not in the model"},
		{"ListJobsOutput", `{"JobList":[{"Action":"Bogus"}],"Marker":null}`,
			`JobList[].Action: "Bogus" is not one of`},
		{"ListJobsOutput", `{"JobList":[{"Completed":"true"}],"Marker":null}`,
			"JobList[].Completed: want a JSON boolean"},
		{"ListTagsForVaultOutput", `{"Tags":{"k":1}}`, "Tags{}: want a JSON string"},
		{"ListTagsForVaultOutput", `{"Tags":[]}`, "Tags: want a JSON object"},
		{"ListPartsOutput", `{"Parts":[null]}`, "Parts[]: null list item"},
	} {
		devs := run(tc.shape, tc.body)
		found := false
		for _, d := range devs {
			found = found || strings.HasPrefix(d, tc.want)
		}
		if !found {
			t.Errorf("%s %s: want a deviation starting %q, got %v", tc.shape, tc.body, tc.want, devs)
		}
	}
}
