package api_test

// Select jobs without --s3-endpoint: permafrost keeps the objects and
// serves them read-only at /_permafrost/s3/, durable across a restart,
// and, with signatures, only to the owning account or an administrator.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
)

type keptList struct {
	Bucket, Prefix string
	Contents       []struct {
		Key          string
		Size         int64
		LastModified string
	}
}

func (l keptList) keys() string {
	var k []string
	for _, o := range l.Contents {
		k = append(k, o.Key)
	}
	return strings.Join(k, " ")
}

func keptGet(t *testing.T, endpoint, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(endpoint + "/_permafrost/s3/" + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

func TestJBSelectKept(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Memory, cfg.DataDir = false, dir
	srv, stop := jbStart(t, cfg, nil)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	use := &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}
	ok := selectJob{expr: "SELECT name, amount FROM ARCHIVE WHERE city = 'Paris'", in: use}
	okPath, d := runSelect(t, c, id, "kept", ok)
	if d.StatusCode != types.StatusCodeSucceeded {
		t.Fatalf("job %s: %s", d.StatusCode, aws.ToString(d.StatusMessage))
	}
	badPath, d := runSelect(t, c, id, "kept", selectJob{expr: "SELECT CAST(name AS INT) FROM ARCHIVE", in: use})
	if d.StatusCode != types.StatusCodeFailed {
		t.Fatalf("failing job %s", d.StatusCode)
	}
	check := func(what string) {
		st, body := keptGet(t, srv.Endpoint, "permafrost?prefix=kept/")
		var l keptList
		if st != 200 || json.Unmarshal([]byte(body), &l) != nil {
			t.Fatalf("%s: listing HTTP %d %s", what, st, body)
		}
		want := map[string]bool{
			okPath + "job.txt " + okPath + "result_manifest.txt " + okPath + "results/result_0.csv " +
				badPath + "error_manifest.txt " + badPath + "errors/error_0.txt " + badPath + "job.txt": true,
			badPath + "error_manifest.txt " + badPath + "errors/error_0.txt " + badPath + "job.txt " +
				okPath + "job.txt " + okPath + "result_manifest.txt " + okPath + "results/result_0.csv": true,
		}
		if !want[l.keys()] || l.Bucket != "permafrost" || l.Prefix != "kept/" {
			t.Errorf("%s: listing %s", what, body)
		}
		if st, body := keptGet(t, srv.Endpoint, "permafrost/"+okPath+"results/result_0.csv"); st != 200 || body != "Alice,10\nCarol,\n" {
			t.Errorf("%s: results HTTP %d %q", what, st, body)
		}
		if st, body := keptGet(t, srv.Endpoint, "permafrost/"+okPath+"result_manifest.txt"); st != 200 || body != okPath+"results/result_0.csv\n" {
			t.Errorf("%s: result manifest HTTP %d %q", what, st, body)
		}
		st, body = keptGet(t, srv.Endpoint, "permafrost/"+badPath+"errors/error_0.txt")
		var e struct{ ErrorCode string }
		if st != 200 || json.Unmarshal([]byte(body), &e) != nil || e.ErrorCode != "CastFailed" {
			t.Errorf("%s: error object HTTP %d %q", what, st, body)
		}
		if st, body := keptGet(t, srv.Endpoint, "permafrost/"+okPath+"job.txt"); st != 200 || !strings.Contains(body, ok.expr) {
			t.Errorf("%s: job.txt HTTP %d %q", what, st, body)
		}
		if st, _ := keptGet(t, srv.Endpoint, "permafrost/"+okPath+"nothing"); st != 404 {
			t.Errorf("%s: a missing object: HTTP %d, want 404", what, st)
		}
		if st, body := keptGet(t, srv.Endpoint, "other-bucket?prefix=kept/"); st != 200 || !strings.Contains(body, `"Contents":[]`) {
			t.Errorf("%s: another bucket: HTTP %d %s", what, st, body)
		}
	}
	check("before the restart")
	stop()
	srv, _ = jbStart(t, cfg, nil)
	check("after the restart")

	// The objects go with the job, 24 hours after its completion.
	if r := jbEmu(t, srv, http.MethodPost, "clock/advance?by=25h"); r.Status != 200 {
		t.Fatalf("advancing the clock: HTTP %d %s", r.Status, r.Body)
	}
	if _, body := keptGet(t, srv.Endpoint, "permafrost?prefix=kept/"); !strings.Contains(body, `"Contents":[]`) {
		t.Errorf("after the jobs expired: %s", body)
	}
}
