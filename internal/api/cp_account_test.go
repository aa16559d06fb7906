package api_test

// Account-level operations: the data retrieval policy and provisioned
// capacity (spec 2.9, 2.10, 6).

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func cpRule(strategy string, bytesPerHour *int64) types.DataRetrievalRule {
	return types.DataRetrievalRule{Strategy: aws.String(strategy), BytesPerHour: bytesPerHour}
}

func cpSetRetrieval(t *testing.T, c *glacier.Client, rules ...types.DataRetrievalRule) error {
	_, err := c.SetDataRetrievalPolicy(t.Context(), &glacier.SetDataRetrievalPolicyInput{
		Policy: &types.DataRetrievalPolicy{Rules: rules}})
	return err
}

// cpGetRetrieval returns the single rule of the policy.
func cpGetRetrieval(t *testing.T, c *glacier.Client) types.DataRetrievalRule {
	t.Helper()
	out, err := c.GetDataRetrievalPolicy(t.Context(), &glacier.GetDataRetrievalPolicyInput{})
	mustOK(t, "GetDataRetrievalPolicy", err)
	wantStatus(t, out.ResultMetadata, http.StatusOK)
	if out.Policy == nil || len(out.Policy.Rules) != 1 {
		t.Fatalf("policy = %+v, want exactly one rule", out.Policy)
	}
	return out.Policy.Rules[0]
}

func TestCPRetrievalPolicyDefault(t *testing.T) {
	srv := newCP(t)
	r := cpGetRetrieval(t, srv.Client)
	if aws.ToString(r.Strategy) != "None" || r.BytesPerHour != nil {
		t.Errorf("default rule = %s/%v, want None without BytesPerHour", aws.ToString(r.Strategy), r.BytesPerHour)
	}
	raw := cpRaw(t, srv, "GET", "/-/policies/data-retrieval", "")
	cpWantRawStatus(t, raw, http.StatusOK)
	if want := `{"Policy":{"Rules":[{"Strategy":"None"}]}}`; string(raw.Body) != want {
		t.Errorf("raw body = %s, want %s", raw.Body, want)
	}
	if ct := raw.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestCPRetrievalPolicySet(t *testing.T) {
	srv := newCP(t)
	c := srv.Client

	const tenGiB = int64(10737418240)
	out, err := c.SetDataRetrievalPolicy(t.Context(), &glacier.SetDataRetrievalPolicyInput{
		Policy: &types.DataRetrievalPolicy{Rules: []types.DataRetrievalRule{cpRule("BytesPerHour", aws.Int64(tenGiB))}}})
	mustOK(t, "SetDataRetrievalPolicy", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	if r := cpGetRetrieval(t, c); aws.ToString(r.Strategy) != "BytesPerHour" || aws.ToInt64(r.BytesPerHour) != tenGiB {
		t.Errorf("rule = %s/%v, want BytesPerHour/%d", aws.ToString(r.Strategy), r.BytesPerHour, tenGiB)
	}
	raw := cpRaw(t, srv, "GET", "/-/policies/data-retrieval", "")
	if want := `{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":10737418240}]}}`; string(raw.Body) != want {
		t.Errorf("raw body = %s, want %s", raw.Body, want)
	}

	t.Run("bounds of BytesPerHour", func(t *testing.T) {
		for _, n := range []int64{1, 1<<63 - 1} {
			mustOK(t, "SetDataRetrievalPolicy", cpSetRetrieval(t, c, cpRule("BytesPerHour", aws.Int64(n))))
			if got := aws.ToInt64(cpGetRetrieval(t, c).BytesPerHour); got != n {
				t.Errorf("BytesPerHour = %d, want %d", got, n)
			}
		}
	})

	for _, s := range []string{"FreeTier", "None"} {
		t.Run(s, func(t *testing.T) {
			mustOK(t, "SetDataRetrievalPolicy", cpSetRetrieval(t, c, cpRule(s, nil)))
			if r := cpGetRetrieval(t, c); aws.ToString(r.Strategy) != s || r.BytesPerHour != nil {
				t.Errorf("rule = %s/%v, want %s without BytesPerHour", aws.ToString(r.Strategy), r.BytesPerHour, s)
			}
		})
	}

	t.Run("per region", func(t *testing.T) {
		mustOK(t, "SetDataRetrievalPolicy", cpSetRetrieval(t, c, cpRule("FreeTier", nil)))
		eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
		if got := aws.ToString(cpGetRetrieval(t, eu).Strategy); got != "None" {
			t.Errorf("eu-west-1 Strategy = %q, want the default None", got)
		}
	})
}

func TestCPRetrievalPolicyInvalid(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	mustOK(t, "SetDataRetrievalPolicy", cpSetRetrieval(t, c, cpRule("FreeTier", nil)))

	cases := []struct {
		name  string
		rules []types.DataRetrievalRule
		code  string
	}{
		{"BytesPerHour with FreeTier", []types.DataRetrievalRule{cpRule("FreeTier", aws.Int64(1024))}, "InvalidParameterValueException"},
		{"BytesPerHour with None", []types.DataRetrievalRule{cpRule("None", aws.Int64(1024))}, "InvalidParameterValueException"},
		{"zero rules", []types.DataRetrievalRule{}, "InvalidParameterValueException"},
		{"two rules", []types.DataRetrievalRule{cpRule("None", nil), cpRule("FreeTier", nil)}, "InvalidParameterValueException"},
		{"BytesPerHour missing", []types.DataRetrievalRule{cpRule("BytesPerHour", nil)}, "MissingParameterValueException"},
		{"BytesPerHour 0", []types.DataRetrievalRule{cpRule("BytesPerHour", aws.Int64(0))}, "InvalidParameterValueException"},
		{"BytesPerHour negative", []types.DataRetrievalRule{cpRule("BytesPerHour", aws.Int64(-5))}, "InvalidParameterValueException"},
		{"unknown strategy", []types.DataRetrievalRule{cpRule("Unlimited", nil)}, "InvalidParameterValueException"},
		{"lower-case strategy", []types.DataRetrievalRule{cpRule("none", nil)}, "InvalidParameterValueException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireAPIError(t, cpSetRetrieval(t, c, tc.rules...), http.StatusBadRequest, tc.code, "")
			if got := aws.ToString(cpGetRetrieval(t, c).Strategy); got != "FreeTier" {
				t.Errorf("a rejected PUT changed the Strategy to %q", got)
			}
		})
	}

	raw := []struct{ name, body, code string }{
		{"unknown strategy", `{"Policy":{"Rules":[{"Strategy":"Bogus"}]}}`, "InvalidParameterValueException"},
		{"no Policy", `{}`, ""},
		{"no Rules", `{"Policy":{}}`, "InvalidParameterValueException"},
		{"BytesPerHour as a string", `{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":"5"}]}}`, "SerializationException"},
	}
	for _, tc := range raw {
		t.Run("raw "+tc.name, func(t *testing.T) {
			r := cpRaw(t, srv, "PUT", "/-/policies/data-retrieval", tc.body)
			requireRawError(t, r, http.StatusBadRequest, tc.code, "")
		})
	}
}

func TestCPRetrievalPolicyOtherAccount(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	_, err := c.GetDataRetrievalPolicy(t.Context(), &glacier.GetDataRetrievalPolicyInput{AccountId: aws.String(cpOtherAccount)})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	_, err = c.SetDataRetrievalPolicy(t.Context(), &glacier.SetDataRetrievalPolicyInput{AccountId: aws.String(cpOtherAccount),
		Policy: &types.DataRetrievalPolicy{Rules: []types.DataRetrievalRule{cpRule("FreeTier", nil)}}})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	if got := aws.ToString(cpGetRetrieval(t, c).Strategy); got != "None" {
		t.Errorf("Strategy = %q after a denied PUT, want None", got)
	}
	_, err = c.GetDataRetrievalPolicy(t.Context(), &glacier.GetDataRetrievalPolicyInput{AccountId: aws.String(testAccount)})
	mustOK(t, "GetDataRetrievalPolicy with the own account ID", err)
}

// cpOneMonthLater is the expected capacity expiration of spec 6.2: the same
// day and time next month, clamped to that month's last day, to the second.
func cpOneMonthLater(start time.Time) time.Time {
	y, m, d := start.Date()
	last := time.Date(y, m+2, 0, 0, 0, 0, 0, time.UTC).Day() // day 0 of m+2 is the end of m+1
	d = min(d, last)
	hh, mm, ss := start.Clock()
	return time.Date(y, m+1, d, hh, mm, ss, 0, time.UTC)
}

func TestCPOneMonthLaterOracle(t *testing.T) {
	// The test's own oracle, on the doc's example and the month-end cases.
	cases := map[string]string{
		"2017-01-31T14:26:33.031Z": "2017-02-28T14:26:33.000Z",
		"2016-01-31T00:00:00.000Z": "2016-02-29T00:00:00.000Z",
		"2017-08-31T23:59:59.999Z": "2017-09-30T23:59:59.000Z",
		"2017-12-15T01:02:03.456Z": "2018-01-15T01:02:03.000Z",
	}
	for in, want := range cases {
		s, _ := time.Parse("2006-01-02T15:04:05.000Z", in)
		if got := cpOneMonthLater(s).Format("2006-01-02T15:04:05.000Z"); got != want {
			t.Errorf("oneMonthLater(%s) = %s, want %s", in, got, want)
		}
	}
}

func cpPurchase(t *testing.T, c *glacier.Client) (*glacier.PurchaseProvisionedCapacityOutput, error) {
	return c.PurchaseProvisionedCapacity(t.Context(), &glacier.PurchaseProvisionedCapacityInput{})
}

func cpListCapacity(t *testing.T, c *glacier.Client) []types.ProvisionedCapacityDescription {
	t.Helper()
	out, err := c.ListProvisionedCapacity(t.Context(), &glacier.ListProvisionedCapacityInput{})
	mustOK(t, "ListProvisionedCapacity", err)
	wantStatus(t, out.ResultMetadata, http.StatusOK)
	return out.ProvisionedCapacityList
}

func TestCPProvisionedCapacity(t *testing.T) {
	srv := newCP(t)
	c := srv.Client

	if got := cpListCapacity(t, c); len(got) != 0 {
		t.Fatalf("fresh account has capacity %+v", got)
	}
	raw := cpRaw(t, srv, "GET", "/-/provisioned-capacity", "")
	if want := `{"ProvisionedCapacityList":[]}`; string(raw.Body) != want {
		t.Errorf("raw empty list = %s, want %s", raw.Body, want)
	}

	var ids []string
	for range 2 {
		out, err := cpPurchase(t, c)
		mustOK(t, "PurchaseProvisionedCapacity", err)
		wantStatus(t, out.ResultMetadata, http.StatusCreated)
		id := aws.ToString(out.CapacityId)
		if len(id) != 24 {
			t.Errorf("CapacityId = %q (%d chars), want 24", id, len(id))
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Errorf("both units have ID %q", ids[0])
	}

	list := cpListCapacity(t, c)
	var listed []string
	for _, u := range list {
		listed = append(listed, aws.ToString(u.CapacityId))
		start := cpParseISO(t, "StartDate", u.StartDate)
		if d := time.Since(start); d < -time.Minute || d > time.Minute {
			t.Errorf("StartDate %s is not now", start)
		}
		exp := aws.ToString(u.ExpirationDate)
		cpParseISO(t, "ExpirationDate", u.ExpirationDate)
		if !strings.HasSuffix(exp, ".000Z") {
			t.Errorf("ExpirationDate = %q, want whole seconds (.000Z)", exp)
		}
		if want := cpOneMonthLater(start).Format("2006-01-02T15:04:05.000Z"); exp != want {
			t.Errorf("ExpirationDate = %s for StartDate %s, want %s", exp, aws.ToString(u.StartDate), want)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(listed)), slices.Sorted(slices.Values(ids))) {
		t.Errorf("listed IDs %v, want %v", listed, ids)
	}

	_, err := cpPurchase(t, c)
	requireAPIError(t, err, http.StatusBadRequest, "LimitExceededException", "")
	if got := cpListCapacity(t, c); len(got) != 2 {
		t.Errorf("%d units after a rejected purchase, want 2", len(got))
	}

	// Still active a day before the shortest possible term ends.
	srv.Advance(27 * 24 * time.Hour)
	if got := cpListCapacity(t, c); len(got) != 2 {
		t.Errorf("%d units after 27 days, want 2", len(got))
	}

	srv.Advance(5 * 24 * time.Hour) // 32 days in all: every unit has expired
	if got := cpListCapacity(t, c); len(got) != 0 {
		t.Errorf("expired units are still listed: %+v", got)
	}
	out, err := cpPurchase(t, c)
	mustOK(t, "PurchaseProvisionedCapacity after expiry", err)
	if list := cpListCapacity(t, c); len(list) != 1 || aws.ToString(list[0].CapacityId) != aws.ToString(out.CapacityId) {
		t.Errorf("list after the new purchase = %+v", list)
	}

	t.Run("raw purchase", func(t *testing.T) {
		r := cpRaw(t, srv, "POST", "/-/provisioned-capacity", "")
		cpWantRawStatus(t, r, http.StatusCreated)
		if id := r.Header.Get("x-amz-capacity-id"); len(id) != 24 {
			t.Errorf("x-amz-capacity-id = %q, want 24 chars", id)
		}
		if len(r.Body) != 0 {
			t.Errorf("body = %s, want none", r.Body)
		}
	})
}

// cpNextDate returns the first time after now that falls on month/day at
// 14:26:33.031 UTC.
func cpNextDate(now time.Time, month time.Month, day int) time.Time {
	for y := now.Year(); ; y++ {
		if d := time.Date(y, month, day, 14, 26, 33, 31e6, time.UTC); d.After(now.Add(time.Hour)) {
			return d
		}
	}
}

func TestCPProvisionedCapacityMonthEnd(t *testing.T) {
	// The server clock is moved to a 31st, so the clamp of spec 6.2 is
	// exercised through the API (Jan 31 -> Feb 28/29, Aug 31 -> Sep 30).
	for _, tc := range []struct {
		month     time.Month
		wantMonth time.Month
	}{{time.January, time.February}, {time.August, time.September}, {time.December, time.January}} {
		t.Run(tc.month.String()+" 31", func(t *testing.T) {
			srv := newCP(t)
			target := cpNextDate(time.Now(), tc.month, 31)
			srv.Advance(time.Until(target))
			_, err := cpPurchase(t, srv.Client)
			mustOK(t, "PurchaseProvisionedCapacity", err)
			list := cpListCapacity(t, srv.Client)
			if len(list) != 1 {
				t.Fatalf("list = %+v", list)
			}
			start := cpParseISO(t, "StartDate", list[0].StartDate)
			if start.Month() != tc.month || start.Day() != 31 {
				t.Fatalf("StartDate = %s, want a %s 31st", start, tc.month)
			}
			exp := cpParseISO(t, "ExpirationDate", list[0].ExpirationDate)
			y := start.Year()
			if tc.wantMonth == time.January {
				y++
			}
			lastDay := time.Date(y, tc.wantMonth+1, 0, 0, 0, 0, 0, time.UTC).Day()
			want := time.Date(y, tc.wantMonth, lastDay, start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
			if !exp.Equal(want) {
				t.Errorf("ExpirationDate = %s for StartDate %s, want %s", aws.ToString(list[0].ExpirationDate),
					aws.ToString(list[0].StartDate), want.Format("2006-01-02T15:04:05.000Z"))
			}
		})
	}
}
