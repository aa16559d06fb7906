package api_test

// Daily inventories (--inventory daily) and the aws profile, against their
// live-mode counterparts: DescribeVault and ListVaults show the last
// inventory, inventory jobs return its snapshot, DeleteVault follows it,
// and the schedule survives a restart.

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	pfglacier "permafrost/internal/glacier"
	"permafrost/internal/testserver"
)

// dyDaily configures daily inventories with the default 24h interval.
func dyDaily(c *config.Config) { c.Inventory = config.InventoryDaily }

// dyDescribe returns DescribeVault's NumberOfArchives, SizeInBytes and
// LastInventoryDate ("" when null).
func dyDescribe(t *testing.T, c *glacier.Client, vault string) (int64, int64, string) {
	t.Helper()
	d, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String(vault)})
	mustOK(t, "DescribeVault", err)
	return d.NumberOfArchives, d.SizeInBytes, aws.ToString(d.LastInventoryDate)
}

// dyWant checks DescribeVault and the vault's ListVaults entry.
func dyWant(t *testing.T, c *glacier.Client, vault string, n, size int64, dateSet bool, what string) string {
	t.Helper()
	gn, gs, gd := dyDescribe(t, c, vault)
	if gn != n || gs != size || (gd != "") != dateSet {
		t.Errorf("%s: DescribeVault = %d archives, %d bytes, LastInventoryDate %q; want %d, %d, date set %v", what, gn, gs, gd, n, size, dateSet)
	}
	l, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	mustOK(t, "ListVaults", err)
	for _, v := range l.VaultList {
		if aws.ToString(v.VaultName) == vault && (v.NumberOfArchives != gn || v.SizeInBytes != gs || aws.ToString(v.LastInventoryDate) != gd) {
			t.Errorf("%s: ListVaults entry %d, %d, %q differs from DescribeVault", what, v.NumberOfArchives, v.SizeInBytes, aws.ToString(v.LastInventoryDate))
		}
	}
	return gd
}

// dyTakeInventories calls POST /_permafrost/inventory and returns how many
// inventories it took.
func dyTakeInventories(t *testing.T, srv *testserver.Server) int {
	t.Helper()
	r := jbEmu(t, srv, http.MethodPost, "inventory")
	var out struct {
		Inventories int    `json:"inventories"`
		Now         string `json:"now"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil || out.Now == "" {
		t.Fatalf("POST /_permafrost/inventory: HTTP %d %s", r.Status, r.Body)
	}
	return out.Inventories
}

func dyDelete(t *testing.T, c *glacier.Client, vault, id string) {
	t.Helper()
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String(vault), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
}

func dyDeleteVault(c *glacier.Client, t *testing.T, vault string) error {
	_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String(vault)})
	return err
}

func TestDailyDescribeVaultShowsLastInventory(t *testing.T) {
	srv := jbNew(t, dyDaily)
	c := srv.Client
	createVault(t, c, "V")
	dyWant(t, c, "V", 0, 0, false, "new vault")
	first := jbClock(t, srv)
	jbUpload(t, c, "V", []byte("one"), "")
	jbUpload(t, c, "V", []byte("three"), "")
	dyWant(t, c, "V", 0, 0, false, "after two uploads, before the first inventory")
	_, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("inventory-retrieval")})
	wantAPIErrorContaining(t, err, 404, "ResourceNotFoundException", "Inventory not yet available for vault: "+vaultARN(testRegion, testAccount, "V"))

	srv.Advance(23 * time.Hour)
	dyWant(t, c, "V", 0, 0, false, "23h after the first upload")
	srv.Advance(2 * time.Hour)
	date := dyWant(t, c, "V", 2, 8, true, "25h after the first upload")
	d, err := time.Parse(time.RFC3339, date)
	if err != nil || d.Before(first.Add(24*time.Hour).Truncate(time.Millisecond)) || d.After(first.Add(24*time.Hour+time.Minute)) {
		t.Errorf("LastInventoryDate %s, want 24h after the first upload (%s)", date, first)
	}

	// A later upload shows only from the next inventory on.
	jbUpload(t, c, "V", []byte("seven.."), "")
	dyWant(t, c, "V", 2, 8, true, "after a third upload")
	if n := dyTakeInventories(t, srv); n != 1 {
		t.Errorf("POST /_permafrost/inventory took %d inventories, want 1", n)
	}
	date2 := dyWant(t, c, "V", 3, 15, true, "after POST /_permafrost/inventory")
	if date2 == date {
		t.Errorf("LastInventoryDate did not move: %s", date2)
	}
	// Nothing written since: no inventory, the date stays.
	if n := dyTakeInventories(t, srv); n != 0 {
		t.Errorf("a second POST /_permafrost/inventory took %d inventories, want 0", n)
	}
	srv.Advance(72 * time.Hour)
	if got := dyWant(t, c, "V", 3, 15, true, "three quiet days later"); got != date2 {
		t.Errorf("LastInventoryDate moved from %s to %s with no archive written", date2, got)
	}
}

func TestLiveDescribeVaultShowsLiveState(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	dyWant(t, c, "V", 0, 0, false, "new vault")
	id := jbUpload(t, c, "V", []byte("one"), "")
	dyWant(t, c, "V", 1, 3, true, "live, after an upload")
	dyDelete(t, c, "V", id)
	dyWant(t, c, "V", 0, 0, true, "live, after the deletion")
	if n := dyTakeInventories(t, srv); n != 0 {
		t.Errorf("POST /_permafrost/inventory in live mode took %d inventories", n)
	}
	mustOK(t, "DeleteVault right after deleting its archives (live mode)", dyDeleteVault(c, t, "V"))
}

func TestDailyDeleteVaultFollowsInventory(t *testing.T) {
	srv := jbNew(t, dyDaily)
	c := srv.Client
	createVault(t, c, "never-written")
	mustOK(t, "DeleteVault of a vault never written to", dyDeleteVault(c, t, "never-written"))

	createVault(t, c, "V")
	notEmpty := "Vault not empty or recently written to: " + vaultARN(testRegion, testAccount, "V")
	ids := []string{jbUpload(t, c, "V", []byte("a"), ""), jbUpload(t, c, "V", []byte("b"), "")}
	wantAPIError(t, dyDeleteVault(c, t, "V"), 400, "InvalidParameterValueException", notEmpty)
	dyTakeInventories(t, srv)
	for _, id := range ids {
		dyDelete(t, c, "V", id)
	}
	// Empty now, but the last inventory holds two archives.
	wantAPIError(t, dyDeleteVault(c, t, "V"), 400, "InvalidParameterValueException", notEmpty)
	dyWant(t, c, "V", 2, 2, true, "after deleting every archive")
	dyTakeInventories(t, srv)
	dyWant(t, c, "V", 0, 0, true, "after the next inventory")
	// Written to again (an upload and its deletion) since that inventory.
	dyDelete(t, c, "V", jbUpload(t, c, "V", []byte("c"), ""))
	wantAPIError(t, dyDeleteVault(c, t, "V"), 400, "InvalidParameterValueException", notEmpty)
	srv.Advance(25 * time.Hour) // the scheduled inventory
	mustOK(t, "DeleteVault once the last inventory is empty", dyDeleteVault(c, t, "V"))
	// A new vault of the same name starts afresh.
	createVault(t, c, "V")
	dyWant(t, c, "V", 0, 0, false, "vault re-created")
	mustOK(t, "DeleteVault of the re-created vault", dyDeleteVault(c, t, "V"))
}

// dyInventory runs a JSON inventory job and returns its InventoryDate and
// archive IDs.
func dyInventory(t *testing.T, srv *testserver.Server, vault string, ip *types.InventoryRetrievalJobInput) (string, []string, *glacier.DescribeJobOutput) {
	t.Helper()
	inv, d := jbJSONInventory(t, srv, vault, ip)
	return inv.InventoryDate, jbInvIDs(inv), d
}

func TestDailyInventoryRetrievalIsTheSnapshot(t *testing.T) {
	srv := jbNew(t, dyDaily)
	c := srv.Client
	createVault(t, c, "V")
	a := jbUpload(t, c, "V", []byte("a"), "first")
	b := jbUpload(t, c, "V", []byte("bb"), "second")
	dyTakeInventories(t, srv)
	taken := jbClock(t, srv)
	cc := jbUpload(t, c, "V", []byte("ccc"), "later")
	dyDelete(t, c, "V", a)

	date, ids, _ := dyInventory(t, srv, "V", nil)
	if !slices.Equal(ids, []string{a, b}) {
		t.Errorf("inventory lists %v, want the snapshot [a b] = %v (not the later upload, still the deleted archive)", ids, []string{a, b})
	}
	if want := taken.UTC().Truncate(time.Second).Format(time.RFC3339); date != want && date != taken.UTC().Add(-time.Second).Truncate(time.Second).Format(time.RFC3339) {
		t.Errorf("InventoryDate = %s, want the inventory's time in whole seconds, %s", date, want)
	}
	// Limit and Marker page through the snapshot.
	_, page, d := dyInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("1")})
	marker := aws.ToString(d.InventoryRetrievalParameters.Marker)
	if !slices.Equal(page, []string{a}) || marker != b {
		t.Errorf("Limit 1: %v, marker %q; want [a] and marker b", page, marker)
	}
	_, page, d = dyInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("1"), Marker: aws.String(marker)})
	if !slices.Equal(page, []string{b}) || d.InventoryRetrievalParameters.Marker != nil {
		t.Errorf("second page: %v, marker %v; want [b] and no marker", page, d.InventoryRetrievalParameters.Marker)
	}
	// EndDate before every archive: an empty snapshot page.
	_, page, _ = dyInventory(t, srv, "V", &types.InventoryRetrievalJobInput{EndDate: aws.String("2000-01-01T00:00:00Z")})
	if len(page) != 0 {
		t.Errorf("EndDate 2000: %v", page)
	}

	if n := dyRecords(t, srv, "V"); n != 3 {
		t.Errorf("%d archive records before the next inventory, want 3 (b, c and a's tombstone)", n)
	}
	// The next inventory lets the deletion and the upload show, and the
	// tombstone go.
	dyTakeInventories(t, srv)
	if n := dyRecords(t, srv, "V"); n != 2 {
		t.Errorf("%d archive records after the next inventory, want 2 (the tombstone purged)", n)
	}
	_, ids, _ = dyInventory(t, srv, "V", nil)
	if !slices.Equal(ids, []string{b, cc}) {
		t.Errorf("after the next inventory: %v, want [b c]", ids)
	}
	// The deleted archive is gone: within the day after its deletion a
	// retrieval is still accepted, and fails (docs/behaviour.md, "Failed
	// jobs"); deleting it again succeeds.
	if _, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(a)}); err != nil {
		t.Errorf("a retrieval of an archive deleted moments ago: %v, want it accepted (and to fail)", err)
	}
	dyDelete(t, c, "V", a)
}

// dyRecords counts the vault's archive records, tombstones included.
func dyRecords(t *testing.T, srv *testserver.Server, vault string) int {
	t.Helper()
	n := 0
	ref := pfglacier.Scope{Account: testAccount, Region: testRegion}.Ref(vault)
	err := srv.Main.Store.View(t.Context(), func(tx pfglacier.Tx) error {
		return tx.ScanArchiveHistory(ref, pfglacier.ArchiveCursor{}, func(*pfglacier.Archive) bool { n++; return true })
	})
	mustOK(t, "ScanArchiveHistory", err)
	return n
}

func TestLiveInventoryRetrievalIsLive(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	a := jbUpload(t, c, "V", []byte("a"), "")
	b := jbUpload(t, c, "V", []byte("b"), "")
	dyDelete(t, c, "V", a)
	if _, ids, _ := dyInventory(t, srv, "V", nil); !slices.Equal(ids, []string{b}) {
		t.Errorf("live inventory lists %v, want [b]", ids)
	}
}

// TestDailyScheduleSurvivesRestart stops the server between an upload and
// its inventory's due time: the restarted server takes it on time and the
// snapshot still lists an archive deleted before the restart.
func TestDailyScheduleSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	durable := func(c *config.Config) { c.Memory, c.DataDir, c.Inventory = false, dir, config.InventoryDaily }
	srv, stop := jbStart(t, jbCfg(durable), nil)
	c := srv.Client
	createVault(t, c, "V")
	a := jbUpload(t, c, "V", []byte("a"), "")
	b := jbUpload(t, c, "V", []byte("b"), "")
	srv.Advance(25 * time.Hour) // first inventory: a and b
	dyWant(t, c, "V", 2, 2, true, "first inventory")
	dyDelete(t, c, "V", a) // schedules the next inventory 24h later
	srv.Advance(12 * time.Hour)
	stop()

	srv, _ = jbStart(t, jbCfg(durable), nil)
	c = srv.Client
	dyWant(t, c, "V", 2, 2, true, "after the restart, 12h before the next inventory")
	if _, ids, _ := dyInventory(t, srv, "V", nil); !slices.Equal(ids, []string{a, b}) {
		t.Errorf("after the restart the snapshot lists %v, want [a b]", ids)
	}
	srv.Advance(13 * time.Hour)
	dyWant(t, c, "V", 1, 1, true, "after the restart, past the next inventory")
	if _, ids, _ := dyInventory(t, srv, "V", nil); !slices.Equal(ids, []string{b}) {
		t.Errorf("the next inventory lists %v, want [b]", ids)
	}
}

// jbCfg is the default test configuration adjusted by f.
func jbCfg(f func(*config.Config)) config.Config {
	cfg := config.Default()
	f(&cfg)
	return cfg
}

// dyJobDuration initiates a job and returns how long it took to complete,
// moving the clock in steps of a minute at most 13h.
func dyJobDuration(t *testing.T, srv *testserver.Server, vault string, p types.JobParameters) time.Duration {
	t.Helper()
	id := jbInit(t, srv.Client, vault, p)
	for range 13 * 60 {
		d := jbDescribe(t, srv.Client, vault, id)
		if d.Completed {
			created, _ := time.Parse(time.RFC3339Nano, aws.ToString(d.CreationDate))
			done, _ := time.Parse(time.RFC3339Nano, aws.ToString(d.CompletionDate))
			return done.Sub(created)
		}
		srv.Advance(time.Minute)
	}
	t.Fatalf("job %s not complete after 13h", id)
	return 0
}

func TestAWSProfileJobTimesAndSizes(t *testing.T) {
	aws7 := func(c *config.Config) { c.Profile, c.Seed = config.ProfileAWS, 7 }
	var runs [2][]time.Duration
	for run := range runs {
		srv := jbNew(t, aws7)
		c := srv.Client
		createVault(t, c, "V")
		id := jbUpload(t, c, "V", []byte("0123456789"), "")
		for _, tier := range []struct {
			name     string
			min, max time.Duration
		}{{"Expedited", time.Minute, 5 * time.Minute}, {"Standard", 3 * time.Hour, 5 * time.Hour}, {"Bulk", 5 * time.Hour, 12 * time.Hour}} {
			d := dyJobDuration(t, srv, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String(tier.name)})
			if d < tier.min || d > tier.max {
				t.Errorf("%s job took %v, want %v-%v", tier.name, d, tier.min, tier.max)
			}
			runs[run] = append(runs[run], d)
		}
		// Daily inventories, and 32 KiB of index data per archive.
		dyWant(t, c, "V", 0, 0, false, "aws profile before the first inventory")
		dyTakeInventories(t, srv)
		dyWant(t, c, "V", 1, 10+32<<10, true, "aws profile after the inventory")
		inv := dyJobDuration(t, srv, "V", types.JobParameters{Type: aws.String("inventory-retrieval")})
		if inv != 4*time.Hour {
			t.Errorf("inventory job took %v, want 4h", inv)
		}
		runs[run] = append(runs[run], inv)
	}
	// Dates are in milliseconds: a draw shows to within 1ms.
	if !slices.EqualFunc(runs[0], runs[1], func(x, y time.Duration) bool { return (x - y).Abs() <= time.Millisecond }) {
		t.Errorf("the same --seed drew different job times: %v and %v", runs[0], runs[1])
	}
}

func TestAWSProfileOverriddenByFlags(t *testing.T) {
	srv := jbNew(t, func(c *config.Config) {
		c.Profile, c.Inventory, c.JobDelay = config.ProfileAWS, config.InventoryLive, "none"
	})
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("abc"), "")
	dyWant(t, c, "V", 1, 3+32<<10, true, "aws profile with --inventory live")
	j := jbArchiveJob(t, c, "V", id, "Bulk")
	jbWantSucceeded(t, srv, "V", j, "aws profile with --job-delay none")
}
