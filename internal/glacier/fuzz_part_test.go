package glacier_test

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/treehash"
)

// FuzzUploadPart holds UploadMultipartPart to its contract for any
// Content-Range, declared length (-1 for a chunked body) and body: it
// never panics, every refusal is a Glacier error, and a stored part is
// exactly the body and exactly its range.
func FuzzUploadPart(f *testing.F) {
	for _, s := range []struct {
		cr   string
		size int64
		body string
	}{
		{"bytes 0-9/*", 10, "0123456789"},
		{"bytes 0-9/*", -1, "0123456789"},
		{"bytes 0-9/*", -1, "0123456789 and more"},
		{"bytes 0-9/*", -1, "01234"},
		{"bytes 0-9223372036854775807/*", -1, "0123456789"},
		{"bytes 0-9223372036854775807/*", 10, "0123456789"},
		{"bytes 9223372036854775807-9223372036854775807/*", -1, "0"},
		{"bytes 1048576-1048577/*", -1, "01"},
		{"bytes 0-1048576/*", -1, "x"},
		{"bytes 0-0/*", 1 << 40, "x"},
	} {
		f.Add(s.cr, s.size, []byte(s.body), false)
	}
	f.Fuzz(func(t *testing.T, contentRange string, size int64, body []byte, wrongHash bool) {
		svc, err := glacier.New(glacier.Options{Store: memory.New()})
		if err != nil {
			t.Fatal(err)
		}
		ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
		if err := svc.CreateVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		id, err := svc.InitiateMultipartUpload(t.Context(), ref, strconv.Itoa(treehash.MiB), "")
		if err != nil {
			t.Fatal(err)
		}
		hash := treehash.Sum(body).String()
		if wrongHash {
			hash = treehash.Sum(append(body, 0)).String()
		}
		got, err := svc.UploadMultipartPart(t.Context(), ref, glacier.PartInput{
			UploadID: id, ContentRange: contentRange,
			Payload: glacier.Payload{Body: io.MultiReader(bytes.NewReader(body)), Size: size, TreeHash: hash},
		})
		if err != nil {
			if glacier.ErrorCode(err) == "" {
				t.Fatalf("%q size %d, %d bytes: not a Glacier error: %v", contentRange, size, len(body), err)
			}
			return
		}
		start, end, ok := glacier.ParseContentRange(contentRange)
		if !ok || wrongHash || got != hash || end-start+1 != int64(len(body)) || (size >= 0 && size != int64(len(body))) {
			t.Fatalf("%q size %d, %d bytes (wrong hash %v): accepted with tree hash %s", contentRange, size, len(body), wrongHash, got)
		}
		out, err := svc.ListParts(t.Context(), ref, id, "", "")
		if err != nil || len(out.Parts) != 1 || out.Parts[0].Start != start || out.Parts[0].End != end {
			t.Fatalf("%q: parts %+v, %v", contentRange, out.Parts, err)
		}
	})
}
