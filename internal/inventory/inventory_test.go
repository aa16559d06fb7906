package inventory

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"permafrost/internal/isotime"
)

var created = time.Date(2012, 5, 15, 17, 19, 46, 700000000, time.UTC)

func TestJSON(t *testing.T) {
	var b strings.Builder
	w, _ := NewJSON(&b, "arn:aws:glacier:us-west-2:012345678901:vaults/examplevault", time.Date(2011, 12, 12, 14, 19, 1, 500, time.UTC))
	w.Add(Entry{ArchiveID: "id-1", Description: `my "archive"` + "\\", Created: created, Size: 2140123, TreeHash: "6b9d"})
	w.Add(Entry{ArchiveID: "id-2", Created: created, Size: 1, TreeHash: "aa"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		VaultARN, InventoryDate string
		ArchiveList             []struct {
			ArchiveId, ArchiveDescription, CreationDate, SHA256TreeHash string
			Size                                                        int64
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("invalid JSON %q: %v", b.String(), err)
	}
	if doc.InventoryDate != "2011-12-12T14:19:01Z" || len(doc.ArchiveList) != 2 || doc.ArchiveList[0].ArchiveDescription != `my "archive"\` ||
		doc.ArchiveList[0].CreationDate != "2012-05-15T17:19:46Z" || doc.ArchiveList[0].Size != 2140123 {
		t.Fatalf("got %+v", doc)
	}
}

func TestJSONEmpty(t *testing.T) {
	var b strings.Builder
	w, _ := NewJSON(&b, "arn", created)
	w.Close()
	if !strings.HasSuffix(b.String(), `"ArchiveList":[]}`) {
		t.Fatalf("got %s", b.String())
	}
}

func TestCSV(t *testing.T) {
	var b strings.Builder
	w, _ := NewCSV(&b)
	w.Add(Entry{ArchiveID: "DMTmICA2n5Tdqq5", Description: `my archive description,1"2`, Created: created, Size: 2140123, TreeHash: "6b9d"})
	w.Add(Entry{ArchiveID: "x", Description: "", Created: created, Size: 1, TreeHash: "ab"})
	w.Close()
	want := CSVHeader +
		`DMTmICA2n5Tdqq5,"my archive description,1\"2",2012-05-15T17:19:46Z,2140123,6b9d` + "\n" +
		`x,"",2012-05-15T17:19:46Z,1,ab` + "\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "ctl\x01\n\t<>&", "ünï"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil || got != s {
			t.Fatalf("%q -> %q (%v)", s, got, err)
		}
	})
}

// The CreationDate layout is isotime's (whose FuzzAppend compares it with
// AppendFormat), for these instants too.
func TestAppendCreationMatchesFormat(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2025, 1, 2, 3, 4, 5, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 30, 0, 0, time.FixedZone("x", -5*3600)),
	} {
		if got, want := string(isotime.AppendSeconds(nil, tm)), tm.UTC().Format(creationFormat); got != want {
			t.Errorf("AppendSeconds(%v) = %s, want %s", tm, got, want)
		}
	}
}
