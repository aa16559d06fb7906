package kvstore

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

func vaultCases() []*glacier.Vault {
	now := time.Date(2026, 12, 2, 5, 10, 11, 123456789, time.UTC)
	base := func() *glacier.Vault {
		return &glacier.Vault{Account: "123456789012", Region: "us-east-1", Name: "v-1_a.b", Created: now, LastInventory: now.Add(time.Second), Archives: 7, Size: 1 << 40}
	}
	var out []*glacier.Vault
	add := func(f func(v *glacier.Vault)) {
		v := base()
		f(v)
		out = append(out, v)
	}
	add(func(v *glacier.Vault) {})
	add(func(v *glacier.Vault) { v.LastInventory = time.Time{} })
	add(func(v *glacier.Vault) { v.Created = now.Truncate(time.Second) })
	add(func(v *glacier.Vault) { v.Created = now.In(time.FixedZone("x", 3600+30*60)) })
	add(func(v *glacier.Vault) { v.Created = now.In(time.FixedZone("odd", 17)) })
	add(func(v *glacier.Vault) { v.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })
	add(func(v *glacier.Vault) { v.Archives, v.Size = -1, -1<<63 })
	add(func(v *glacier.Vault) { v.Name = `a"b\c<d>&é` + "\x01" })
	add(func(v *glacier.Vault) { v.Account = "-" })
	add(func(v *glacier.Vault) { v.Tags = map[string]string{"k": "v"} })
	add(func(v *glacier.Vault) { v.Tags = map[string]string{} })
	add(func(v *glacier.Vault) { v.AccessPolicy = `{"Version":"2012-10-17"}` })
	add(func(v *glacier.Vault) { v.Notifications = &glacier.Notifications{} })
	add(func(v *glacier.Vault) { v.Lock = &glacier.Lock{} })
	add(func(v *glacier.Vault) { v.Inv = &glacier.InventoryState{Archives: 3} })
	add(func(v *glacier.Vault) { *v = glacier.Vault{} })
	return out
}

// TestEncodeVaultIsJSONMarshal: the hand-written encoding is json.Marshal's
// byte for byte (the vault memo is keyed by the record's bytes, and
// records written before it must read the same).
func TestEncodeVaultIsJSONMarshal(t *testing.T) {
	for i, v := range vaultCases() {
		want, werr := json.Marshal(v)
		got, err := encodeVault(v)
		if (err != nil) != (werr != nil) {
			t.Fatalf("case %d: error %v, json.Marshal's %v", i, err, werr)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// FuzzEncodeVault holds the encoding to json.Marshal's for any strings,
// counts and times.
func FuzzEncodeVault(f *testing.F) {
	f.Add("123456789012", "us-east-1", "v", int64(0), int64(0), int64(1764652211123456789), 0)
	f.Add("-", "eu-west-1", "a<b", int64(-5), int64(1<<62), int64(-1<<62), 3600)
	f.Fuzz(func(t *testing.T, acct, region, name string, n, size, nanos int64, off int) {
		tm := time.Unix(0, nanos).In(time.FixedZone("z", off%(14*3600)))
		v := &glacier.Vault{Account: acct, Region: region, Name: name, Created: tm, LastInventory: tm.Add(time.Duration(n)), Archives: n, Size: size}
		if n%2 == 0 {
			v.Tags = map[string]string{} // as CreateVault makes every vault
		}
		want, werr := json.Marshal(v)
		got, err := encodeVault(v)
		if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("got %s (%v), json.Marshal %s (%v)", got, err, want, werr)
		}
	})
}

func BenchmarkEncodeVault(b *testing.B) {
	v := vaultCases()[0]
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = json.Marshal(v)
		}
	})
	b.Run("encodeVault", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = encodeVault(v)
		}
	})
}
