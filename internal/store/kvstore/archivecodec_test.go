package kvstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

func TestArchiveCodecRoundTrip(t *testing.T) {
	for _, a := range []*glacier.Archive{
		{ID: "x", Vault: "v", Created: time.Unix(0, 1).UTC(), Segments: []glacier.Segment{}},
		{ID: "id-1", Vault: "v.1", Description: `a "desc", with \ and ünicode`, Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
			Size: 1 << 40, TreeHash: "ab", Segments: []glacier.Segment{{Blob: "b1", Size: 1 << 30}, {Blob: "i2", Size: 5, Inline: true}}},
		// A tombstone (daily inventories): version 2 carries the deletion time.
		{ID: "gone", Vault: "v", Created: time.Unix(5, 0).UTC(), Deleted: time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC), Segments: []glacier.Segment{}},
	} {
		var got glacier.Archive
		if err := decodeArchiveRecord(encodeArchive(a), &got, nil); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&got, a) {
			t.Errorf("got %+v, want %+v", got, *a)
		}
		// Records written as JSON by earlier versions still read.
		js, _ := json.Marshal(a)
		var old glacier.Archive
		if err := decodeArchiveRecord(js, &old, nil); err != nil || !old.Created.Equal(a.Created) || old.ID != a.ID {
			t.Errorf("JSON record: %+v, %v", old, err)
		}
	}
}

func FuzzDecodeArchive(f *testing.F) {
	f.Add(encodeArchive(&glacier.Archive{ID: "a", Segments: []glacier.Segment{{Blob: "b", Size: 1}}}))
	f.Add([]byte{1, 200, 200, 200})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var a glacier.Archive
		if decodeArchive(raw, &a) == nil {
			var b glacier.Archive
			if err := decodeArchive(encodeArchive(&a), &b); err != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("re-encoding differs: %v", err)
			}
		}
	})
}

// BenchmarkEncodeArchive: the record of a 4 KiB upload, as the committer
// encodes it in each upload's call.
func BenchmarkEncodeArchive(b *testing.B) {
	a := &glacier.Archive{ID: "Ab3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3rS5tU7vW9xY1zA3bC5dE7fG9hI1jK3lM5nO7pQ", Vault: "v",
		Description: "backup 2026-12-02", Created: time.Date(2026, 12, 2, 17, 0, 0, 123456789, time.UTC), Size: 4096,
		TreeHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Segments: []glacier.Segment{{Blob: "i0123456789abcdef", Size: 4096, Inline: true}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = encodeArchive(a)
	}
}
