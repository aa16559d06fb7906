package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// emulatorPost calls POST /_permafrost/PATH on srv (no --credentials) and
// decodes the JSON answer.
func emulatorPost(t *testing.T, srv *server, path string) obj {
	t.Helper()
	return emulatorCall(t, http.MethodPost, srv.URL, path)
}

// cliAWSProfile adds to the aws run of the suite what needs a server of
// its own: an inventory retrieval before the vault's first inventory, the
// first inventory taken by the clock a day after the upload (not by POST
// /_permafrost/inventory), and how many inventories that POST takes.
func cliAWSProfile(t *testing.T, bin string, p profile) {
	srv := startServer(t, p.Args...)
	c := newAWSCLI(t, bin, srv, p)
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
	d := c.waitJob(t, v, job) // checks the 5-12 h
	wantEq(t, "Bulk job StatusCode", d.str("StatusCode"), "Succeeded")
	file := filepath.Join(c.dir, "aws-profile.out")
	c.ok(t, "get-job-output", "--vault-name", v, "--job-id", job, file)
	if b, err := os.ReadFile(file); err != nil || !bytes.Equal(b, data) {
		t.Errorf("job output differs from the archive (%v)", err)
	}

	// The first inventory, 24h after the upload: the clock has moved 5-12h
	// already (the wait stops at the job's latest time); move it past the day.
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
