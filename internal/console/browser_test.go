package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// chromiumPath is Debian's chromium package; playwright-core's own
// browser download cannot work here.
const chromiumPath = "/usr/bin/chromium"

// required reports whether a missing browser or node fails the test
// instead of skipping it (as in CI).
func required() bool { return os.Getenv("PERMAFROST_E2E") == "1" }

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if required() {
		t.Fatalf("%s; it is required because PERMAFROST_E2E=1 is set", why)
	}
	t.Skipf("%s; set PERMAFROST_E2E=1 to require it", why)
}

// screenshotDir is where the pages' screenshots go: console-screenshots/
// at the top of the repository (git-ignored, kept by CI as artifacts), or
// $PERMAFROST_CONSOLE_SCREENSHOTS.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("PERMAFROST_CONSOLE_SCREENSHOTS"); d != "" {
		return d
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "console-screenshots")
}

// installDeps runs npm ci in e2e/ when node_modules lacks the pinned
// playwright-core (npm ci installs exactly package-lock.json).
func installDeps(t *testing.T, dir string) {
	var want struct{ Dependencies map[string]string }
	var got struct{ Version string }
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil && json.Unmarshal(b, &got) == nil &&
		got.Version == want.Dependencies["playwright-core"] {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		skipOrFail(t, "console browser test: npm is not installed")
	}
	t.Logf("installing playwright-core %s: npm ci in %s", want.Dependencies["playwright-core"], dir)
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--prefix", dir)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		skipOrFail(t, fmt.Sprintf("console browser test: npm ci failed (%v); the npm registry may be unreachable:\n%s", err, out))
	}
}

type archiveWant struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Size        int    `json:"size"`
	TreeHash    string `json:"treeHash"`
}

type partWant struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	TreeHash string `json:"treeHash"`
}

// expect is what the browser script must find in the console.
type expect struct {
	URL               string        `json:"url"`
	Account           string        `json:"account"`
	Region            string        `json:"region"`
	Vault             string        `json:"vault"`
	VaultsNewestFirst []string      `json:"vaultsNewestFirst"`
	TagText           string        `json:"tagText"`
	Archives          []archiveWant `json:"archives"`
	VaultSize         int           `json:"vaultSize"`
	JobID             string        `json:"jobId"`
	JobBytes          int           `json:"jobBytes"`
	Topic             string        `json:"topic"`
	PolicySid         string        `json:"policySid"`
	UploadID          string        `json:"uploadId"`
	Parts             []partWant    `json:"parts"`

	SignedURL   string `json:"signedURL"`
	SignedVault string `json:"signedVault"`
	AdminKey    string `json:"adminKey"`
	AdminSecret string `json:"adminSecret"`
	UserKey     string `json:"userKey"`
	UserSecret  string `json:"userSecret"`
}

// TestConsoleInBrowser fills a server with the Go SDK (archives, a
// Standard retrieval job due in 4 hours, a multipart upload with two
// parts, tags, an access policy, notifications) and runs e2e/console.mjs
// in headless Chromium, which checks the figures on each page, advances
// the clock by a click until the job completes, aborts the upload, and
// logs in to a second server that has --credentials.
func TestConsoleInBrowser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "console browser test: node is not installed")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		skipOrFail(t, "console browser test: "+chromiumPath+" is missing (apt-get install chromium)")
	}
	dir, err := filepath.Abs("e2e")
	if err != nil {
		t.Fatal(err)
	}
	installDeps(t, dir)

	ctx := context.Background()
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.JobDelay = "Standard=4h" }))
	acct, region := srv.Main.Config.AccountID, srv.Main.Config.Region
	w := expect{URL: srv.Endpoint, Account: acct, Region: region, Vault: "photos", Topic: "arn:aws:sns:" + region + ":" + acct + ":restores", PolicySid: "console-test"}
	c := srv.Client
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vault := func(name string) *string { return aws.String(name) }
	for _, v := range []string{"alpha", "photos", "zeta"} {
		must(c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault(v)}))
		w.VaultsNewestFirst = append([]string{v}, w.VaultsNewestFirst...)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	must(c.AddTagsToVault(ctx, &glacier.AddTagsToVaultInput{AccountId: aws.String("-"), VaultName: vault("photos"), Tags: map[string]string{"team": "media"}}))
	w.TagText = "team=media"
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"console-test","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"glacier:ListJobs","Resource":"arn:aws:glacier:%s:%s:vaults/photos"}]}`, acct, region, acct)
	must(c.SetVaultAccessPolicy(ctx, &glacier.SetVaultAccessPolicyInput{AccountId: aws.String("-"), VaultName: vault("photos"), Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}}))
	must(c.SetVaultNotifications(ctx, &glacier.SetVaultNotificationsInput{AccountId: aws.String("-"), VaultName: vault("photos"),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String(w.Topic), Events: []string{"ArchiveRetrievalCompleted"}}}))
	for i := range 55 {
		body := bytes.Repeat([]byte{byte('a' + i%26)}, 1000+i*37)
		desc := fmt.Sprintf("photo-%02d.jpg", i)
		out, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault("photos"), ArchiveDescription: aws.String(desc), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		w.Archives = append(w.Archives, archiveWant{ID: *out.ArchiveId, Description: desc, Size: len(body), TreeHash: treehash.Sum(body).String()})
		w.VaultSize += len(body)
	}
	job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: vault("photos"), JobParameters: &types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(w.Archives[0].ID), Tier: aws.String("Standard"), SNSTopic: aws.String(w.Topic)}})
	if err != nil {
		t.Fatal(err)
	}
	w.JobID, w.JobBytes = *job.JobId, w.Archives[0].Size
	const part = 1 << 20
	up, err := c.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{AccountId: aws.String("-"), VaultName: vault("photos"),
		PartSize: aws.String(fmt.Sprint(part)), ArchiveDescription: aws.String("video.mp4")})
	if err != nil {
		t.Fatal(err)
	}
	w.UploadID = *up.UploadId
	for i := range 2 {
		body := bytes.Repeat([]byte{byte('0' + i)}, part)
		rng := fmt.Sprintf("bytes %d-%d/*", i*part, (i+1)*part-1)
		must(c.UploadMultipartPart(ctx, &glacier.UploadMultipartPartInput{AccountId: aws.String("-"), VaultName: vault("photos"), UploadId: up.UploadId,
			Range: aws.String(rng), Body: bytes.NewReader(body)}))
		w.Parts = append(w.Parts, partWant{Start: i * part, End: (i+1)*part - 1, TreeHash: treehash.Sum(body).String()})
	}

	// A second server checks signatures: one administrator, one ordinary key.
	creds := filepath.Join(t.TempDir(), "credentials")
	w.AdminKey, w.AdminSecret, w.UserKey, w.UserSecret = "AKIACONSOLEADMIN", "admin-secret-1", "AKIACONSOLEUSER", "user-secret-1"
	file := fmt.Sprintf("%s %s %s admin\n%s %s 222233334444\n", w.AdminKey, w.AdminSecret, acct, w.UserKey, w.UserSecret)
	if err := os.WriteFile(creds, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	signed := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.Credentials = creds }))
	w.SignedURL, w.SignedVault = signed.Endpoint, "signed-vault"
	must(signed.NewClient(region, w.AdminKey, w.AdminSecret).CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault(w.SignedVault)}))

	b, _ := json.Marshal(w)
	expectFile := filepath.Join(t.TempDir(), "expect.json")
	if err := os.WriteFile(expectFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	shots := screenshotDir(t)
	before := srv.Main.Now()
	rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(rctx, node, filepath.Join(dir, "console.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONSOLE_EXPECT="+expectFile, "CONSOLE_SCREENSHOTS="+shots, "CHROMIUM="+chromiumPath)
	out, err := cmd.CombinedOutput()
	t.Logf("console.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("the browser checks failed (%v); screenshots in %s", err, shots)
	}
	if !strings.Contains(string(out), "all console checks passed") {
		t.Fatalf("console.mjs ended without its final line")
	}

	// What the clicks did, seen from the server and a client.
	if moved := srv.Main.Now().Sub(before); moved < 24*time.Hour {
		t.Errorf("after clicking +1 day the clock moved %v", moved)
	}
	ups, err := c.ListMultipartUploads(ctx, &glacier.ListMultipartUploadsInput{AccountId: aws.String("-"), VaultName: vault("photos")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.UploadsList) != 0 {
		t.Errorf("after the confirmed Abort, ListMultipartUploads lists %d uploads", len(ups.UploadsList))
	}
}
