package api

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendJSON checks that the hand-written encoders of the most asked-for
// answers produce exactly what encoding/json.Marshal produces for the same
// values, invalid UTF-8 and HTML-sensitive characters included.
func FuzzAppendJSON(f *testing.F) {
	f.Add("2012-03-20T17:03:43.221Z", "", false, int64(0), int64(0),
		"arn:aws:glacier:us-east-1:012345678901:vaults/v", "v", "", false, uint8(0))
	f.Add("2012-03-20T17:03:43.221Z", "2012-03-21T00:00:00.000Z", true, int64(7), int64(1<<40),
		"arn:aws:glacier:us-east-1:-:vaults/a<b>&c", "q\"uote\\", "m\x01\xff\u2028", true, uint8(3))
	f.Fuzz(func(t *testing.T, created, last string, hasLast bool, n, size int64,
		arn, name, marker string, hasMarker bool, count uint8) {
		v := vaultJSON{CreationDate: created, NumberOfArchives: n, SizeInBytes: size, VaultARN: arn, VaultName: name}
		if hasLast {
			v.LastInventoryDate = &last
		}
		sameAsMarshal(t, &v)
		l := listVaultsJSON{}
		if hasMarker {
			l.Marker = &marker
		}
		if count > 0 {
			l.VaultList = make([]vaultJSON, count%5)
			for i := range l.VaultList {
				l.VaultList[i] = v
				l.VaultList[i].NumberOfArchives += int64(i)
			}
		}
		sameAsMarshal(t, &l)
	})
}

func sameAsMarshal(t *testing.T, v jsonAppender) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.appendJSON([]byte("prefix")); !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("appendJSON = %s\n   Marshal = %s", got[len("prefix"):], want)
	}
}
