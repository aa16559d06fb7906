package api_test

// ListVaults: order, limit, paging and region partitioning (spec 2.1, 7.4).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func cpVaultNames(vs []types.DescribeVaultOutput) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = aws.ToString(v.VaultName)
	}
	return out
}

func TestCPListVaultsEmpty(t *testing.T) {
	srv := newCP(t)
	out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	mustOK(t, "ListVaults", err)
	wantStatus(t, out.ResultMetadata, http.StatusOK)
	if len(out.VaultList) != 0 || out.Marker != nil {
		t.Errorf("ListVaults on a fresh account = %v, marker %v; want nothing", cpVaultNames(out.VaultList), out.Marker)
	}
	r := cpRaw(t, srv, "GET", "/-/vaults", "")
	cpWantRawStatus(t, r, http.StatusOK)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body: %v: %s", err, r.Body)
	}
	if string(m["Marker"]) != "null" {
		t.Errorf("Marker = %s, want null", m["Marker"])
	}
	if string(m["VaultList"]) != "[]" {
		t.Errorf("VaultList = %s, want []", m["VaultList"])
	}
}

func TestCPListVaultsOrder(t *testing.T) {
	srv := newCP(t)
	// Inserted shuffled; ASCII order is - < . < digits < upper < _ < lower.
	names := []string{"b", "_u", "Zeta", "a.b", "0zero", "-dash", "A", "a-b", "a"}
	for _, n := range names {
		createVault(t, srv.Client, n)
	}
	out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	mustOK(t, "ListVaults", err)
	want := []string{"-dash", "0zero", "A", "Zeta", "_u", "a", "a-b", "a.b", "b"}
	if got := cpVaultNames(out.VaultList); !slices.Equal(got, want) {
		t.Errorf("ListVaults order = %v, want %v", got, want)
	}
	if out.Marker != nil {
		t.Errorf("Marker = %q, want nil", *out.Marker)
	}
	for _, v := range out.VaultList {
		if got, want := aws.ToString(v.VaultARN), vaultARN(testRegion, testAccount, aws.ToString(v.VaultName)); got != want {
			t.Errorf("VaultARN = %q, want %q", got, want)
		}
		cpParseISO(t, "CreationDate", v.CreationDate)
		if v.LastInventoryDate != nil || v.NumberOfArchives != 0 || v.SizeInBytes != 0 {
			t.Errorf("%s: LastInventoryDate %v, NumberOfArchives %d, SizeInBytes %d; want null, 0, 0",
				aws.ToString(v.VaultName), v.LastInventoryDate, v.NumberOfArchives, v.SizeInBytes)
		}
	}
}

// cpMakeVaults creates v00..v(n-1) and returns their names in order.
func cpMakeVaults(t *testing.T, c *glacier.Client, n int) []string {
	t.Helper()
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("v%02d", i)
		createVault(t, c, names[i])
	}
	return names
}

func TestCPListVaultsPaging(t *testing.T) {
	srv := newCP(t)
	all := cpMakeVaults(t, srv.Client, 23)

	t.Run("default limit 10", func(t *testing.T) {
		out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{})
		mustOK(t, "ListVaults", err)
		if got := cpVaultNames(out.VaultList); !slices.Equal(got, all[:10]) {
			t.Errorf("first page = %v, want %v", got, all[:10])
		}
		if out.Marker == nil {
			t.Fatal("Marker is nil with 13 vaults left")
		}
	})

	t.Run("limit above the maximum is clamped", func(t *testing.T) {
		out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Limit: aws.Int32(1000)})
		mustOK(t, "ListVaults", err)
		if len(out.VaultList) != 10 || out.Marker == nil {
			t.Errorf("limit 1000: %d vaults, marker %v; want 10 and a marker", len(out.VaultList), out.Marker)
		}
	})

	for _, limit := range []int32{1, 3, 10, 23} {
		t.Run(fmt.Sprintf("manual limit %d", limit), func(t *testing.T) {
			var got []string
			var marker *string
			for pages := 0; ; pages++ {
				if pages > 30 {
					t.Fatal("paging does not end")
				}
				out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Limit: aws.Int32(limit), Marker: marker})
				mustOK(t, "ListVaults", err)
				if len(out.VaultList) > int(limit) {
					t.Fatalf("page of %d vaults exceeds limit %d", len(out.VaultList), limit)
				}
				got = append(got, cpVaultNames(out.VaultList)...)
				if out.Marker == nil {
					break
				}
				if *out.Marker == "" {
					t.Fatal("Marker is an empty string, want null")
				}
				marker = out.Marker
			}
			if !slices.Equal(got, all) {
				t.Errorf("pages joined = %v, want %v", got, all)
			}
		})
	}

	t.Run("paginator", func(t *testing.T) {
		p := glacier.NewListVaultsPaginator(srv.Client, &glacier.ListVaultsInput{Limit: aws.Int32(4)})
		var got []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			mustOK(t, "NextPage", err)
			got = append(got, cpVaultNames(out.VaultList)...)
			pages++
		}
		if !slices.Equal(got, all) {
			t.Errorf("paginator = %v, want %v", got, all)
		}
		if pages != 6 {
			t.Errorf("paginator took %d pages, want 6", pages)
		}
	})

	t.Run("paginator default limit", func(t *testing.T) {
		p := glacier.NewListVaultsPaginator(srv.Client, &glacier.ListVaultsInput{})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			mustOK(t, "NextPage", err)
			got = append(got, cpVaultNames(out.VaultList)...)
		}
		if !slices.Equal(got, all) {
			t.Errorf("paginator = %v, want %v", got, all)
		}
	})

	t.Run("marker is a vault ARN", func(t *testing.T) {
		out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Limit: aws.Int32(5)})
		mustOK(t, "ListVaults", err)
		// Emulator choice (spec 2.1): the ARN of the first vault of the next page.
		if got, want := aws.ToString(out.Marker), vaultARN(testRegion, testAccount, all[5]); got != want {
			t.Errorf("Marker = %q, want %q", got, want)
		}
	})

	t.Run("empty marker starts at the beginning", func(t *testing.T) {
		r := cpRaw(t, srv, "GET", "/-/vaults?marker=&limit=2", "")
		cpWantRawStatus(t, r, http.StatusOK)
		var out struct {
			VaultList []struct{ VaultName string }
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.VaultList) != 2 || out.VaultList[0].VaultName != all[0] {
			t.Errorf("marker=\"\" gave %+v, want the first 2 vaults", out.VaultList)
		}
	})

	t.Run("garbage marker", func(t *testing.T) {
		_, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Marker: aws.String("not-an-arn")})
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
	})
}

func TestCPListVaultsInvalidLimit(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	for _, limit := range []int32{0, -1} {
		_, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Limit: aws.Int32(limit)})
		t.Run(fmt.Sprint("sdk ", limit), func(t *testing.T) {
			requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
	for _, raw := range []string{"0", "-1", "abc", "1.5", "+3", "99999999999999999999"} {
		t.Run("raw "+raw, func(t *testing.T) {
			r := cpRaw(t, srv, "GET", "/-/vaults?limit="+url.QueryEscape(raw), "")
			requireRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
}

func TestCPListVaultsRegions(t *testing.T) {
	srv := newCP(t)
	us := srv.Client
	eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
	createVault(t, us, "us-only")
	createVault(t, us, "shared")
	createVault(t, eu, "eu-only")
	createVault(t, eu, "shared")

	list := func(c *glacier.Client) []string {
		out, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
		mustOK(t, "ListVaults", err)
		for _, v := range out.VaultList {
			if arn := aws.ToString(v.VaultARN); arn != vaultARN(c.Options().Region, testAccount, aws.ToString(v.VaultName)) {
				t.Errorf("%s: VaultARN %q has the wrong region", c.Options().Region, arn)
			}
		}
		return cpVaultNames(out.VaultList)
	}
	if got, want := list(us), []string{"shared", "us-only"}; !slices.Equal(got, want) {
		t.Errorf("us-east-1 sees %v, want %v", got, want)
	}
	if got, want := list(eu), []string{"eu-only", "shared"}; !slices.Equal(got, want) {
		t.Errorf("eu-west-1 sees %v, want %v", got, want)
	}
	ap := srv.NewClient("ap-southeast-2", testAccessKey, testSecret)
	if got := list(ap); len(got) != 0 {
		t.Errorf("ap-southeast-2 sees %v, want none", got)
	}

	t.Run("marker from another region", func(t *testing.T) {
		_, err := eu.ListVaults(t.Context(), &glacier.ListVaultsInput{Marker: aws.String(vaultARN(testRegion, testAccount, "shared"))})
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
	})

	t.Run("raw request signed for eu-west-1", func(t *testing.T) {
		r := cpRaw(t, srv, "GET", "/-/vaults", "", withRegion("eu-west-1"))
		cpWantRawStatus(t, r, http.StatusOK)
		var out struct{ VaultList []struct{ VaultName string } }
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.VaultList) != 2 || out.VaultList[0].VaultName != "eu-only" {
			t.Errorf("eu-west-1 raw list = %+v", out.VaultList)
		}
	})
}

func TestCPListVaultsOtherAccount(t *testing.T) {
	srv := newCP(t)
	_, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{AccountId: aws.String(cpOtherAccount)})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	out, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{AccountId: aws.String(testAccount)})
	mustOK(t, "ListVaults with own account ID", err)
	wantStatus(t, out.ResultMetadata, http.StatusOK)
}
