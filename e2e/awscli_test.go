package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// glacierOps are the CLI names of the API's 33 operations.
var glacierOps = []string{
	"abort-multipart-upload",
	"abort-vault-lock",
	"add-tags-to-vault",
	"complete-multipart-upload",
	"complete-vault-lock",
	"create-vault",
	"delete-archive",
	"delete-vault",
	"delete-vault-access-policy",
	"delete-vault-notifications",
	"describe-job",
	"describe-vault",
	"get-data-retrieval-policy",
	"get-job-output",
	"get-vault-access-policy",
	"get-vault-lock",
	"get-vault-notifications",
	"initiate-job",
	"initiate-multipart-upload",
	"initiate-vault-lock",
	"list-jobs",
	"list-multipart-uploads",
	"list-parts",
	"list-provisioned-capacity",
	"list-tags-for-vault",
	"list-vaults",
	"purchase-provisioned-capacity",
	"remove-tags-from-vault",
	"set-data-retrieval-policy",
	"set-vault-access-policy",
	"set-vault-notifications",
	"upload-archive",
	"upload-multipart-part",
}

// cliOpsSucceeded records each operation that succeeded at least once.
var cliOpsSucceeded sync.Map

// awsCLI runs `aws glacier` commands against one permafrost server.
type awsCLI struct {
	bin string
	url string
	env []string
	dir string // scratch directory for bodies and job output
	aws bool   // the server runs --profile aws
}

func newAWSCLI(t *testing.T, bin string, srv *server, p profile) *awsCLI {
	return &awsCLI{bin: bin, url: srv.URL, env: clientEnv(t), dir: t.TempDir(), aws: p.AWS}
}

// run runs `aws --endpoint-url URL --region us-east-1 --output json glacier
// OP --account-id - ARGS...` (ARGS may name another --account-id).
func (c *awsCLI) run(t *testing.T, op string, args ...string) result {
	t.Helper()
	full := []string{"--endpoint-url", c.url, "--region", region, "--output", "json", "glacier", op}
	if !slices.Contains(args, "--account-id") {
		full = append(full, "--account-id", "-")
	}
	full = append(full, joinDashValues(args)...)
	return run(t, c.dir, c.env, c.bin, full...)
}

// idOptions are the CLI options whose value is a Glacier ID.
var idOptions = map[string]bool{"--upload-id": true, "--archive-id": true, "--job-id": true, "--marker": true, "--lock-id": true}

// joinDashValues writes an option whose value starts with "-" as
// --option=value: Glacier's IDs may start with "-" (or "--"), which the
// CLI's argument parser would otherwise take for an option, as users of
// the real service find. An ID option's value is always joined.
func joinDashValues(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if i+1 < len(args) && (idOptions[args[i]] ||
			strings.HasPrefix(args[i], "--") && strings.HasPrefix(args[i+1], "-") && !strings.HasPrefix(args[i+1], "--")) {
			out = append(out, args[i]+"="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// ok runs a command that must succeed and decodes its JSON output (an
// empty object when the command prints nothing).
func (c *awsCLI) ok(t *testing.T, op string, args ...string) obj {
	t.Helper()
	r := c.run(t, op, args...)
	if r.Code != 0 {
		t.Fatalf("aws glacier %s %s: exit %d\nstderr: %s", op, strings.Join(args, " "), r.Code, r.Stderr)
	}
	cliOpsSucceeded.Store(op, true)
	if strings.TrimSpace(r.Stdout) == "" {
		return obj{}
	}
	return decodeObj(t, "aws glacier "+op, r.Stdout)
}

// fails runs a command that must fail with the given error code in stderr,
// and returns stderr.
func (c *awsCLI) fails(t *testing.T, code, op string, args ...string) string {
	t.Helper()
	r := c.run(t, op, args...)
	if r.Code == 0 {
		t.Errorf("aws glacier %s %s: succeeded, want %s\nstdout: %s", op, strings.Join(args, " "), code, r.Stdout)
		return ""
	}
	if !strings.Contains(r.Stderr, "("+code+")") {
		t.Errorf("aws glacier %s %s: stderr does not name %s:\n%s", op, strings.Join(args, " "), code, r.Stderr)
	}
	return r.Stderr
}

// waitJob polls describe-job until the job completes. Under --profile aws
// it moves the server's clock on where a client of AWS would sleep
// (awsJobStep) and checks that the job took a time in AWS's range.
func (c *awsCLI) waitJob(t *testing.T, vault, jobID string) obj {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d := c.ok(t, "describe-job", "--vault-name", vault, "--job-id", jobID)
		if d["Completed"] == true {
			if c.aws {
				checkAWSJobTime(t, d)
			}
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s did not complete within 60s: %v", jobID, d)
		}
		if c.aws && c.moveClock(t, d) {
			continue
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// clockMu makes reading the clock and moving it on one step for the
// parallel waiters of a suite: the endpoint moves the clock by a duration,
// so two waiters that read the same time would both add their delay.
var clockMu sync.Mutex

// moveClock moves the server's clock on as a client of AWS waiting for job
// d would sleep, and reports whether it did (awsJobStep).
func (c *awsCLI) moveClock(t *testing.T, d obj) bool {
	t.Helper()
	clockMu.Lock()
	defer clockMu.Unlock()
	step := awsJobStep(t, d, serverNow(t, c.url))
	if step > 0 {
		advanceClock(t, c.url, step)
	}
	return step > 0
}

// takeInventory does what a client of AWS waits a day for: under --profile
// aws it takes every vault's inventory now (POST /_permafrost/inventory);
// under fast, whose inventories are live, the endpoint must do nothing.
func (c *awsCLI) takeInventory(t *testing.T) {
	t.Helper()
	n := emulatorCall(t, http.MethodPost, c.url, "inventory").num("inventories")
	if !c.aws && n != 0 {
		t.Errorf("POST /_permafrost/inventory with live inventories took %v, want 0", n)
	}
}

// vaultFigures checks describe-vault's NumberOfArchives and SizeInBytes
// against the sizes of the archives the caller expects the server to show
// (under --profile aws those of the last inventory, 32 KiB added to each;
// under fast the live ones), and that a LastInventoryDate is shown when
// dated.
func (c *awsCLI) vaultFigures(t *testing.T, what, vault string, dated bool, sizes ...int) {
	t.Helper()
	d := c.ok(t, "describe-vault", "--vault-name", vault)
	want := 0
	for _, n := range sizes {
		want += n
		if c.aws {
			want += awsOverhead
		}
	}
	wantEq(t, what+": NumberOfArchives", d.num("NumberOfArchives"), float64(len(sizes)))
	wantEq(t, what+": SizeInBytes", d.num("SizeInBytes"), float64(want))
	_, has := d["LastInventoryDate"]
	if has != dated || (has && !isoMillis.MatchString(d.str("LastInventoryDate"))) {
		t.Errorf("%s: LastInventoryDate %v, want one: %v", what, d["LastInventoryDate"], dated)
	}
}

// jsonArg marshals v for a CLI JSON argument.
func jsonArg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAWSCLI(t *testing.T) {
	t.Parallel()
	bin := requireClient(t, "aws CLI suite", "aws")
	if r := run(t, "", clientEnv(t), bin, "--version"); r.Code != 0 {
		skipOrFail(t, fmt.Sprintf("aws CLI suite: `aws --version` exits %d: %s", r.Code, r.Stderr+r.Stdout))
	} else {
		t.Logf("client: %s", strings.TrimSpace(r.Stdout+r.Stderr))
	}
	// The whole suite runs under each profile, both at once; in each,
	// independent groups run in parallel against the same server, each on
	// its own vaults; the account-wide settings get a server of their own.
	t.Run("group", func(t *testing.T) {
		for _, p := range profiles(t) {
			t.Run(p.Name, func(t *testing.T) {
				t.Parallel()
				c := newAWSCLI(t, bin, startServer(t, p.Args...), p)
				t.Run("Vaults", func(t *testing.T) { t.Parallel(); cliVaults(t, c) })
				t.Run("VaultConfig", func(t *testing.T) { t.Parallel(); cliVaultConfig(t, c) })
				t.Run("VaultLock", func(t *testing.T) { t.Parallel(); cliVaultLock(t, c) })
				t.Run("Account", func(t *testing.T) {
					t.Parallel()
					cliAccount(t, newAWSCLI(t, bin, startServer(t, p.Args...), p))
				})
				t.Run("ArchivesAndJobs", func(t *testing.T) { t.Parallel(); cliArchivesAndJobs(t, c) })
				t.Run("Select", func(t *testing.T) { t.Parallel(); cliSelect(t, c) })
				if !p.AWS {
					// --credentials: its emulator endpoints want an
					// administrator's signature (see e2e/README.md).
					t.Run("Signatures", func(t *testing.T) {
						t.Parallel()
						cliSignatures(t, bin, startSignedServer(t))
					})
				} else {
					t.Run("AWSProfile", func(t *testing.T) { t.Parallel(); cliAWSProfile(t, bin, p) })
				}
			})
		}
	})
	t.Run("AllOperations", func(t *testing.T) {
		if len(glacierOps) != 33 {
			t.Fatalf("%d operations listed, want 33", len(glacierOps))
		}
		for _, op := range glacierOps {
			if _, ok := cliOpsSucceeded.Load(op); !ok {
				t.Errorf("aws glacier %s never succeeded", op)
			}
		}
	})
}

// cliVaults: CreateVault, DescribeVault, ListVaults, DeleteVault.
func cliVaults(t *testing.T, c *awsCLI) {
	names := []string{"cli-v-b", "cli-v-a", "cli-v-c"}
	t.Run("CreateVault", func(t *testing.T) {
		for _, n := range names {
			out := c.ok(t, "create-vault", "--vault-name", n)
			wantEq(t, "create-vault location", out.str("location"), "/"+accountID+"/vaults/"+n)
		}
		// Creating an existing vault is not an error.
		out := c.ok(t, "create-vault", "--vault-name", names[0])
		wantEq(t, "create-vault (again) location", out.str("location"), "/"+accountID+"/vaults/"+names[0])
		c.fails(t, "InvalidParameterValueException", "create-vault", "--vault-name", "bad/name!")
	})
	t.Run("DescribeVault", func(t *testing.T) {
		d := c.ok(t, "describe-vault", "--vault-name", "cli-v-a")
		wantEq(t, "VaultName", d.str("VaultName"), "cli-v-a")
		wantEq(t, "VaultARN", d.str("VaultARN"), vaultARN("cli-v-a"))
		wantEq(t, "NumberOfArchives", d.num("NumberOfArchives"), 0)
		wantEq(t, "SizeInBytes", d.num("SizeInBytes"), 0)
		if !isoMillis.MatchString(d.str("CreationDate")) {
			t.Errorf("CreationDate %q is not ISO 8601 with milliseconds", d.str("CreationDate"))
		}
		if _, ok := d["LastInventoryDate"]; ok {
			t.Errorf("a new vault has a LastInventoryDate: %v", d)
		}
		stderr := c.fails(t, "ResourceNotFoundException", "describe-vault", "--vault-name", "cli-v-missing")
		if !strings.Contains(stderr, "Vault not found for ARN: "+vaultARN("cli-v-missing")) {
			t.Errorf("describe-vault of a missing vault: message %q lacks the vault ARN", stderr)
		}
	})
	t.Run("ListVaults", func(t *testing.T) {
		// The CLI follows Marker itself; --page-size 1 makes it send limit=1
		// and follow one marker per vault.
		for _, args := range [][]string{nil, {"--page-size", "1"}, {"--page-size", "2"}} {
			out := c.ok(t, "list-vaults", args...)
			var got []string
			for _, v := range out.list("VaultList") {
				got = append(got, v.str("VaultName"))
				if v.str("VaultARN") != vaultARN(v.str("VaultName")) {
					t.Errorf("list-vaults %v: VaultARN %q", args, v.str("VaultARN"))
				}
			}
			if !slices.IsSorted(got) {
				t.Errorf("list-vaults %v: not sorted by name: %v", args, got)
			}
			if len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Errorf("list-vaults %v: duplicates: %v", args, got)
			}
			for _, n := range names {
				if !slices.Contains(got, n) {
					t.Errorf("list-vaults %v: %s missing from %v", args, n, got)
				}
			}
		}
		// --max-items stops early and hands back a token to resume from.
		first := c.ok(t, "list-vaults", "--page-size", "1", "--max-items", "1")
		if len(first.list("VaultList")) != 1 || first.str("NextToken") == "" {
			t.Fatalf("list-vaults --max-items 1: %v", first)
		}
		rest := c.ok(t, "list-vaults", "--page-size", "1", "--starting-token", first.str("NextToken"))
		if len(rest.list("VaultList")) == 0 || rest.list("VaultList")[0].str("VaultName") <= first.list("VaultList")[0].str("VaultName") {
			t.Errorf("list-vaults resumed from the token: %v after %v", rest, first)
		}
		c.fails(t, "InvalidParameterValueException", "list-vaults", "--no-paginate", "--cli-input-json", `{"limit":"0"}`)
	})
	t.Run("DeleteVault", func(t *testing.T) {
		for _, n := range names {
			out := c.ok(t, "delete-vault", "--vault-name", n)
			if len(out) != 0 {
				t.Errorf("delete-vault printed %v", out)
			}
			c.fails(t, "ResourceNotFoundException", "describe-vault", "--vault-name", n)
		}
	})
}

// cliVaultConfig: tags, access policy, notifications.
func cliVaultConfig(t *testing.T, c *awsCLI) {
	const v = "cli-config"
	c.ok(t, "create-vault", "--vault-name", v)
	t.Run("Tags", func(t *testing.T) {
		empty := c.ok(t, "list-tags-for-vault", "--vault-name", v)
		if tags, ok := empty["Tags"].(map[string]any); !ok || len(tags) != 0 {
			t.Errorf("list-tags-for-vault of an untagged vault: %v, want Tags {}", empty)
		}
		c.ok(t, "add-tags-to-vault", "--vault-name", v, "--tags", "team=storage,env=e2e,empty=")
		c.ok(t, "add-tags-to-vault", "--vault-name", v, "--tags", `{"env":"test","cost center":"42"}`)
		got := c.ok(t, "list-tags-for-vault", "--vault-name", v).sub("Tags")
		want := obj{"team": "storage", "env": "test", "empty": "", "cost center": "42"}
		if got.String() != want.String() {
			t.Errorf("tags = %v, want %v", got, want)
		}
		c.ok(t, "remove-tags-from-vault", "--vault-name", v, "--tag-keys", "team", "empty", "not-there")
		got = c.ok(t, "list-tags-for-vault", "--vault-name", v).sub("Tags")
		want = obj{"env": "test", "cost center": "42"}
		if got.String() != want.String() {
			t.Errorf("tags after remove = %v, want %v", got, want)
		}
		c.fails(t, "InvalidParameterValueException", "add-tags-to-vault", "--vault-name", v, "--tags", "aws:reserved=x")
		c.fails(t, "ResourceNotFoundException", "list-tags-for-vault", "--vault-name", "cli-config-missing")
	})
	t.Run("AccessPolicy", func(t *testing.T) {
		c.fails(t, "ResourceNotFoundException", "get-vault-access-policy", "--vault-name", v)
		policy := jsonArg(t, map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid": "cross-account-upload", "Effect": "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::210987654321:root"},
				"Action":    []string{"glacier:UploadArchive", "glacier:InitiateMultipartUpload"},
				"Resource":  vaultARN(v),
			}},
		})
		c.ok(t, "set-vault-access-policy", "--vault-name", v, "--policy", jsonArg(t, map[string]string{"Policy": policy}))
		got := c.ok(t, "get-vault-access-policy", "--vault-name", v)
		wantEq(t, "get-vault-access-policy policy.Policy", got.sub("policy").str("Policy"), policy)
		c.ok(t, "delete-vault-access-policy", "--vault-name", v)
		c.fails(t, "ResourceNotFoundException", "get-vault-access-policy", "--vault-name", v)
		// Deleting again is not an error.
		c.ok(t, "delete-vault-access-policy", "--vault-name", v)
	})
	t.Run("Notifications", func(t *testing.T) {
		c.fails(t, "ResourceNotFoundException", "get-vault-notifications", "--vault-name", v)
		cfg := map[string]any{
			"SNSTopic": "arn:aws:sns:us-east-1:" + accountID + ":permafrost-e2e",
			"Events":   []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"},
		}
		c.ok(t, "set-vault-notifications", "--vault-name", v, "--vault-notification-config", jsonArg(t, cfg))
		got := c.ok(t, "get-vault-notifications", "--vault-name", v).sub("vaultNotificationConfig")
		wantEq(t, "SNSTopic", got.str("SNSTopic"), cfg["SNSTopic"].(string))
		wantEq(t, "Events", fmt.Sprint(got["Events"]), "[ArchiveRetrievalCompleted InventoryRetrievalCompleted]")
		c.fails(t, "InvalidParameterValueException", "set-vault-notifications", "--vault-name", v,
			"--vault-notification-config", `{"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t","Events":["ArchiveUploaded"]}`)
		c.ok(t, "delete-vault-notifications", "--vault-name", v)
		c.fails(t, "ResourceNotFoundException", "get-vault-notifications", "--vault-name", v)
	})
	t.Run("DeleteVault", func(t *testing.T) {
		c.ok(t, "delete-vault", "--vault-name", v)
	})
}

// cliVaultLock: InitiateVaultLock, GetVaultLock, AbortVaultLock,
// CompleteVaultLock and the state machine's refusals.
func cliVaultLock(t *testing.T, c *awsCLI) {
	const v = "cli-lock"
	c.ok(t, "create-vault", "--vault-name", v)
	policy := jsonArg(t, map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "deny-young-deletes", "Principal": "*", "Effect": "Deny",
			"Action": "glacier:DeleteArchive", "Resource": vaultARN(v),
			"Condition": map[string]any{"NumericLessThanEquals": map[string]string{"glacier:ArchiveAgeInDays": "365"}},
		}},
	})
	policyArg := jsonArg(t, map[string]string{"Policy": policy})

	c.fails(t, "ResourceNotFoundException", "get-vault-lock", "--vault-name", v)
	first := c.ok(t, "initiate-vault-lock", "--vault-name", v, "--policy", policyArg).str("lockId")
	if first == "" {
		t.Fatal("initiate-vault-lock returned no lockId")
	}
	got := c.ok(t, "get-vault-lock", "--vault-name", v)
	wantEq(t, "State", got.str("State"), "InProgress")
	wantEq(t, "Policy", got.str("Policy"), policy)
	created, err1 := time.Parse(time.RFC3339Nano, got.str("CreationDate"))
	expires, err2 := time.Parse(time.RFC3339Nano, got.str("ExpirationDate"))
	if err1 != nil || err2 != nil || expires.Sub(created) != 24*time.Hour {
		t.Errorf("get-vault-lock dates: CreationDate %q, ExpirationDate %q: want 24h apart", got.str("CreationDate"), got.str("ExpirationDate"))
	}
	// A second initiate while InProgress is refused.
	c.fails(t, "AccessDeniedException", "initiate-vault-lock", "--vault-name", v, "--policy", policyArg)
	c.ok(t, "abort-vault-lock", "--vault-name", v)
	c.fails(t, "ResourceNotFoundException", "get-vault-lock", "--vault-name", v)

	lockID := c.ok(t, "initiate-vault-lock", "--vault-name", v, "--policy", policyArg).str("lockId")
	if lockID == "" || lockID == first {
		t.Fatalf("second initiate-vault-lock: lockId %q (first %q)", lockID, first)
	}
	c.fails(t, "InvalidParameterValueException", "complete-vault-lock", "--vault-name", v, "--lock-id", "WRONGLOCKID0000000000000")
	c.ok(t, "complete-vault-lock", "--vault-name", v, "--lock-id", lockID)
	got = c.ok(t, "get-vault-lock", "--vault-name", v)
	wantEq(t, "State after complete", got.str("State"), "Locked")
	wantEq(t, "Policy after complete", got.str("Policy"), policy)
	// Completing again with the right ID is idempotent; the rest is refused.
	c.ok(t, "complete-vault-lock", "--vault-name", v, "--lock-id", lockID)
	c.fails(t, "AccessDeniedException", "abort-vault-lock", "--vault-name", v)
	c.fails(t, "AccessDeniedException", "complete-vault-lock", "--vault-name", v, "--lock-id", "WRONGLOCKID0000000000000")
	c.fails(t, "InvalidParameterValueException", "initiate-vault-lock", "--vault-name", "cli-lock-bad-policy-vault-missing", "--policy", `{"Policy":"not json"}`)
}

// cliAccount: data retrieval policy and provisioned capacity.
func cliAccount(t *testing.T, c *awsCLI) {
	t.Run("DataRetrievalPolicy", func(t *testing.T) {
		def := c.ok(t, "get-data-retrieval-policy")
		rules := def.sub("Policy").list("Rules")
		if len(rules) != 1 || rules[0].str("Strategy") != "None" {
			t.Errorf("default data retrieval policy: %v, want one rule with Strategy None", def)
		}
		c.ok(t, "set-data-retrieval-policy", "--policy", `{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":10737418240}]}`)
		rules = c.ok(t, "get-data-retrieval-policy").sub("Policy").list("Rules")
		if len(rules) != 1 || rules[0].str("Strategy") != "BytesPerHour" || rules[0].num("BytesPerHour") != 10737418240 {
			t.Errorf("policy after set: %v", rules)
		}
		c.ok(t, "set-data-retrieval-policy", "--policy", `{"Rules":[{"Strategy":"FreeTier"}]}`)
		rules = c.ok(t, "get-data-retrieval-policy").sub("Policy").list("Rules")
		if len(rules) != 1 || rules[0].str("Strategy") != "FreeTier" {
			t.Errorf("policy after set FreeTier: %v", rules)
		}
		if _, ok := rules[0]["BytesPerHour"]; ok {
			t.Errorf("FreeTier policy carries BytesPerHour: %v", rules)
		}
		c.fails(t, "InvalidParameterValueException", "set-data-retrieval-policy", "--policy", `{"Rules":[{"Strategy":"FreeTier","BytesPerHour":5}]}`)
		c.ok(t, "set-data-retrieval-policy", "--policy", `{"Rules":[{"Strategy":"None"}]}`)
	})
	t.Run("ProvisionedCapacity", func(t *testing.T) {
		empty := c.ok(t, "list-provisioned-capacity")
		if len(empty.list("ProvisionedCapacityList")) != 0 {
			t.Errorf("a fresh account lists capacity: %v", empty)
		}
		var ids []string
		for i := 0; i < 2; i++ {
			id := c.ok(t, "purchase-provisioned-capacity").str("capacityId")
			if id == "" {
				t.Fatal("purchase-provisioned-capacity returned no capacityId")
			}
			ids = append(ids, id)
		}
		c.fails(t, "LimitExceededException", "purchase-provisioned-capacity")
		list := c.ok(t, "list-provisioned-capacity").list("ProvisionedCapacityList")
		var got []string
		for _, u := range list {
			got = append(got, u.str("CapacityId"))
			start, err1 := time.Parse(time.RFC3339Nano, u.str("StartDate"))
			end, err2 := time.Parse(time.RFC3339Nano, u.str("ExpirationDate"))
			if err1 != nil || err2 != nil || !isoMillis.MatchString(u.str("StartDate")) {
				t.Errorf("capacity dates: %v", u)
				continue
			}
			if want := start.AddDate(0, 1, 0).Truncate(time.Second); start.Day() <= 28 && !end.Equal(want) {
				t.Errorf("capacity %s expires %s, want one month after %s, to the second", u.str("CapacityId"), end, start)
			}
			if !strings.HasSuffix(u.str("ExpirationDate"), ".000Z") {
				t.Errorf("ExpirationDate %q is not truncated to the second", u.str("ExpirationDate"))
			}
		}
		slices.Sort(got)
		slices.Sort(ids)
		if !slices.Equal(got, ids) {
			t.Errorf("list-provisioned-capacity ids %v, want %v", got, ids)
		}
	})
}
