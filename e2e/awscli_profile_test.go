package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// emulatorPost calls POST /_permafrost/PATH on srv (no --credentials) and
// decodes the JSON answer.
func emulatorPost(t *testing.T, srv *server, path string) obj {
	t.Helper()
	resp, err := http.Post(srv.URL+"/_permafrost/"+path, "", nil)
	if err != nil {
		t.Fatalf("POST /_permafrost/%s: %v", path, err)
	}
	defer resp.Body.Close()
	var out obj
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("POST /_permafrost/%s: HTTP %d", path, resp.StatusCode)
	}
	return out
}

// waitJobAWS polls describe-job as a client of AWS would, moving the
// server's clock on by step where that client would sleep.
func (c *awsCLI) waitJobAWS(t *testing.T, srv *server, vault, jobID string, step string) obj {
	t.Helper()
	for range 48 {
		d := c.ok(t, "describe-job", "--vault-name", vault, "--job-id", jobID)
		if d["Completed"] == true {
			return d
		}
		emulatorPost(t, srv, "clock/advance?by="+step)
	}
	t.Fatalf("job %s did not complete after 48 polls", jobID)
	return nil
}

// jobDuration is CompletionDate - CreationDate of a completed job.
func jobDuration(t *testing.T, d obj) time.Duration {
	t.Helper()
	created, err1 := time.Parse(time.RFC3339Nano, d.str("CreationDate"))
	done, err2 := time.Parse(time.RFC3339Nano, d.str("CompletionDate"))
	if err1 != nil || err2 != nil {
		t.Fatalf("job dates %q, %q", d.str("CreationDate"), d.str("CompletionDate"))
	}
	return done.Sub(created)
}

// cliAWSProfile: a server with --profile aws, driven as AWS must be:
// jobs take hours (the clock is moved on while polling), DescribeVault and
// inventories follow the daily inventory, DeleteVault waits for it.
func cliAWSProfile(t *testing.T, bin string) {
	srv := startServer(t, "--profile", "aws", "--seed", "3")
	c := newAWSCLI(t, bin, srv)
	v := "cli-aws"
	c.ok(t, "create-vault", "--vault-name", v)
	data := bytes.Repeat([]byte("permafrost aws profile "), 1000)
	body := writeFile(t, c.dir, "aws-profile.bin", data)
	id := c.ok(t, "upload-archive", "--vault-name", v, "--body", body).str("archiveId")
	if d := c.ok(t, "describe-vault", "--vault-name", v); d.num("NumberOfArchives") != 0 || d.num("SizeInBytes") != 0 || d["LastInventoryDate"] != nil {
		t.Errorf("describe-vault right after the upload: %v, want 0, 0, null", d)
	}
	c.fails(t, "ResourceNotFoundException", "initiate-job", "--vault-name", v, "--job-parameters", `{"Type":"inventory-retrieval"}`)

	job := c.ok(t, "initiate-job", "--vault-name", v, "--job-parameters", jsonArg(t, map[string]string{"Type": "archive-retrieval", "ArchiveId": id, "Tier": "Bulk"})).str("jobId")
	d := c.waitJobAWS(t, srv, v, job, "1h")
	if took := jobDuration(t, d); d.str("StatusCode") != "Succeeded" || took < 5*time.Hour || took > 12*time.Hour {
		t.Errorf("Bulk job: %s after %v, want Succeeded after 5-12h", d.str("StatusCode"), took)
	}
	file := filepath.Join(c.dir, "aws-profile.out")
	c.ok(t, "get-job-output", "--vault-name", v, "--job-id", job, file)
	if b, err := os.ReadFile(file); err != nil || !bytes.Equal(b, data) {
		t.Errorf("job output differs from the archive (%v)", err)
	}

	// The first inventory, 24h after the upload: the clock has moved 5-12h
	// already; move it past the day.
	emulatorPost(t, srv, "clock/advance?by=20h")
	if d := c.ok(t, "describe-vault", "--vault-name", v); d.num("NumberOfArchives") != 1 || d.num("SizeInBytes") != float64(len(data)+32<<10) || d.str("LastInventoryDate") == "" {
		t.Errorf("describe-vault after the first inventory: %v, want 1 archive of %d bytes + 32 KiB", d, len(data))
	}
	c.ok(t, "delete-archive", "--vault-name", v, "--archive-id", id)
	stderr := c.fails(t, "InvalidParameterValueException", "delete-vault", "--vault-name", v)
	if !strings.Contains(stderr, "Vault not empty or recently written to: arn:aws:glacier:") {
		t.Errorf("delete-vault before the next inventory: %s", stderr)
	}
	if n := emulatorPost(t, srv, "inventory").num("inventories"); n != 1 {
		t.Errorf("POST /_permafrost/inventory took %v inventories, want 1", n)
	}
	c.ok(t, "delete-vault", "--vault-name", v)
}
