package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// cliSelect: `aws glacier initiate-job --job-parameters` with a select
// body; the objects are read from permafrost's built-in store
// (/_permafrost/s3/), the server having no --s3-endpoint.
func cliSelect(t *testing.T, c *awsCLI) {
	const v = "cli-select"
	c.ok(t, "create-vault", "--vault-name", v)
	body := writeFile(t, c.dir, "select.csv", []byte("k|v\n1|'x;y'\n2|'line\none'\n3|z\n"))
	id := c.ok(t, "upload-archive", "--vault-name", v, "--body", body).str("archiveId")
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(c.url + "/_permafrost/s3/" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: HTTP %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	params := func(expr string) string {
		return jsonArg(t, map[string]any{
			"Type": "select", "ArchiveId": id, "Tier": "Expedited",
			"SelectParameters": map[string]any{
				"Expression": expr, "ExpressionType": "SQL",
				"InputSerialization":  map[string]any{"csv": map[string]any{"FileHeaderInfo": "USE", "FieldDelimiter": "|", "QuoteCharacter": "'"}},
				"OutputSerialization": map[string]any{"csv": map[string]any{"FieldDelimiter": ";"}},
			},
			"OutputLocation": map[string]any{"S3": map[string]any{"BucketName": "cli-results", "Prefix": "cli"}},
		})
	}
	out := c.ok(t, "initiate-job", "--vault-name", v, "--job-parameters", params("SELECT k, UPPER(v) FROM ARCHIVE WHERE k <> '3'"))
	job, path := out.str("jobId"), out.str("jobOutputPath")
	wantEq(t, "initiate-job jobOutputPath", path, "cli/"+job+"/")
	d := c.waitJob(t, v, job)
	wantEq(t, "select job Action", d.str("Action"), "Select")
	wantEq(t, "select job StatusCode", d.str("StatusCode"), "Succeeded")
	wantEq(t, "select job JobOutputPath", d.str("JobOutputPath"), path)
	wantEq(t, "select results", get("cli-results/"+path+"results/result_0.csv"), "1;\"X;Y\"\n2;\"LINE\nONE\"\n")
	var l struct{ Contents []struct{ Key string } }
	if err := json.Unmarshal([]byte(get("cli-results?prefix="+path)), &l); err != nil || len(l.Contents) != 3 {
		t.Errorf("listing of %s: %+v %v", path, l, err)
	}
	stderr := c.fails(t, "InvalidParameterValueException", "initiate-job", "--vault-name", v, "--job-parameters", params("SELECT MAX(k) FROM ARCHIVE"))
	if !strings.Contains(stderr, "UnsupportedSqlOperation") {
		t.Errorf("an aggregate refused: %s", stderr)
	}
	c.fails(t, "InvalidParameterValueException", "get-job-output", "--vault-name", v, "--job-id", job, "out.bin")
}
