package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

// TestDPListLimits: ListMultipartUploads and ListParts answer 50 items by
// default and up to 1,000 with a limit; a larger limit is clamped to 1,000
// (spec 2.3's emulator choice); a marker that names no upload, or that is
// not a part boundary, is refused.
func TestDPListLimits(t *testing.T) {
	srv := testserver.New(t)
	c := srv.Client
	createVault(t, c, "V")
	const uploads = 1001
	for range uploads {
		dpInitiate(t, c, "V", miB)
	}
	list := func(limit int32, marker *string) *glacier.ListMultipartUploadsOutput {
		t.Helper()
		in := &glacier.ListMultipartUploadsInput{VaultName: aws.String("V"), Marker: marker}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := c.ListMultipartUploads(t.Context(), in)
		mustOK(t, "ListMultipartUploads", err)
		return out
	}
	for _, tc := range []struct {
		limit      int32
		want       int
		wantMarker bool
	}{{0, 50, true}, {1000, 1000, true}, {1001, 1000, true}, {5000, 1000, true}} {
		out := list(tc.limit, nil)
		if len(out.UploadsList) != tc.want || (out.Marker != nil) != tc.wantMarker {
			t.Errorf("limit %d: %d uploads, Marker %v; want %d and a marker", tc.limit, len(out.UploadsList), out.Marker, tc.want)
		}
		if tc.limit == 1000 {
			rest := list(1000, out.Marker)
			if len(rest.UploadsList) != 1 || rest.Marker != nil {
				t.Errorf("after 1,000: %d uploads, Marker %v; want the last one and null", len(rest.UploadsList), rest.Marker)
			}
		}
	}
	_, err := c.ListMultipartUploads(t.Context(), &glacier.ListMultipartUploadsInput{VaultName: aws.String("V"), Marker: aws.String("no-such-upload")})
	wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid marker: no-such-upload")

	id := dpInitiate(t, c, "V", miB)
	const parts = 51
	body := dpData(parts*miB, 5)
	for i := range parts {
		dpPart(t, c, "V", id, int64(i)*miB, body[i*miB:(i+1)*miB])
	}
	lp := func(limit int32, marker string) (*glacier.ListPartsOutput, error) {
		in := &glacier.ListPartsInput{VaultName: aws.String("V"), UploadId: aws.String(id)}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		if marker != "" {
			in.Marker = aws.String(marker)
		}
		return c.ListParts(t.Context(), in)
	}
	out, err := lp(0, "")
	mustOK(t, "ListParts", err)
	if len(out.Parts) != 50 || aws.ToString(out.Marker) != fmt.Sprint(50*miB) {
		t.Errorf("ListParts by default: %d parts, Marker %v; want 50 and %d", len(out.Parts), aws.ToString(out.Marker), 50*miB)
	}
	out, err = lp(1000, "")
	mustOK(t, "ListParts limit 1000", err)
	if len(out.Parts) != parts || out.Marker != nil {
		t.Errorf("ListParts limit 1000: %d parts, Marker %v; want %d and null", len(out.Parts), out.Marker, parts)
	}
	_, err = lp(0, "1")
	wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid marker: 1")
}

// TestDPLastInventoryDate: LastInventoryDate is null until the first archive
// change, then the time of the last upload or deletion (the emulator's live
// inventory, docs/behaviour.md).
func TestDPLastInventoryDate(t *testing.T) {
	srv := testserver.New(t)
	c := srv.Client
	createVault(t, c, "V")
	last := func() time.Time {
		t.Helper()
		d, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("V")})
		mustOK(t, "DescribeVault", err)
		if d.LastInventoryDate == nil {
			return time.Time{}
		}
		at, err := time.Parse(time.RFC3339Nano, *d.LastInventoryDate)
		if err != nil {
			t.Fatalf("LastInventoryDate %q: %v", *d.LastInventoryDate, err)
		}
		return at
	}
	if at := last(); !at.IsZero() {
		t.Fatalf("LastInventoryDate of a new vault = %v, want null", at)
	}
	srv.Advance(time.Hour)
	id := aws.ToString(mustUpload(t, c, "V", []byte("x")).ArchiveId)
	uploaded := last()
	if uploaded.IsZero() {
		t.Fatal("LastInventoryDate still null after an upload")
	}
	srv.Advance(2 * time.Hour)
	if at := last(); !at.Equal(uploaded) {
		t.Errorf("LastInventoryDate moved without an archive change: %v, then %v", uploaded, at)
	}
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
	if at := last(); at.Sub(uploaded) < 2*time.Hour {
		t.Errorf("LastInventoryDate after a deletion two hours later = %v, upload at %v", at, uploaded)
	}
}
