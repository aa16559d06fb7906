package faults_test

// The rules themselves: when they fire (nth, count, probability, expiry,
// filters), deleting them, refusing bad ones, who may change them, and
// LocalStack's chaos shape.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/faults"
)

// pattern calls DescribeVault n times and returns "x" for each call that
// failed with the injected error and "." for each that succeeded.
func pattern(t *testing.T, c *glacier.Client, vault string, n int) string {
	t.Helper()
	var b strings.Builder
	for range n {
		_, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String(vault)})
		switch code, _ := apiError(err); {
		case err == nil:
			b.WriteByte('.')
		case code == "ThrottlingException":
			b.WriteByte('x')
		default:
			t.Fatalf("DescribeVault: %v", err)
		}
	}
	return b.String()
}

func TestWhenRulesFire(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	createVault(t, c, "other")
	throttle := `"effect":{"error":{"preset":"ThrottlingException"}}`
	for _, tc := range []struct{ name, rule, want string }{
		{"every call", `{"operations":["DescribeVault"],` + throttle + `}`, "xxxx"},
		{"nth", `{"operations":["DescribeVault"],"nth":3,` + throttle + `}`, "..x..."},
		{"nth and count", `{"operations":["DescribeVault"],"nth":2,"count":2,` + throttle + `}`, ".xx..."},
		{"count", `{"operations":["DescribeVault"],"count":2,` + throttle + `}`, "xx..."},
		{"probability 0", `{"operations":["DescribeVault"],"probability":0,` + throttle + `}`, "...."},
		{"probability 1", `{"operations":["DescribeVault"],"probability":1,"count":3,` + throttle + `}`, "xxx."},
		{"other vault", `{"operations":["DescribeVault"],"vault":"other",` + throttle + `}`, "...."},
		{"other operation", `{"operations":["ListVaults"],` + throttle + `}`, "...."},
		{"other region", `{"operations":["DescribeVault"],"region":"eu-west-1",` + throttle + `}`, "...."},
		{"account", `{"operations":["DescribeVault"],"account":"123456789012","count":1,` + throttle + `}`, "x.."},
		{"expired", `{"operations":["DescribeVault"],"expires":"2001-01-01T00:00:00Z",` + throttle + `}`, "..."},
	} {
		s.emu(t, "DELETE", "faults", "")
		s.addRule(t, tc.rule)
		if got := pattern(t, c, "v", len(tc.want)); got != tc.want {
			t.Errorf("%s: calls went %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A rule with a ttl fires until it expires, then stops.
func TestRuleExpires(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	rule := s.addRule(t, `{"operations":["DescribeVault"],"ttl":1,"effect":{"error":{"preset":"ThrottlingException"}}}`)
	if rule.Expires == nil || rule.Expires.Before(time.Now()) {
		t.Fatalf("expires = %v", rule.Expires)
	}
	if got := pattern(t, c, "v", 1); got != "x" {
		t.Fatalf("before expiry: %s", got)
	}
	time.Sleep(time.Until(*rule.Expires) + 50*time.Millisecond)
	if got := pattern(t, c, "v", 2); got != ".." {
		t.Errorf("after expiry: %s", got)
	}
}

func TestDeleteRules(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	a := s.addRule(t, `{"id":"a","operations":["DescribeVault"],"effect":{"error":{"preset":"ThrottlingException"}}}`)
	s.addRule(t, `{"operations":["ListVaults"],"effect":{"latency":{"before":"1ms"}}}`)
	if r := s.emu(t, "POST", "faults", `{"id":"a","operations":["ListVaults"],"effect":{"latency":{"before":"1ms"}}}`); r.Status != 400 {
		t.Errorf("a second rule a = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "DELETE", "faults/"+a.ID, ""); r.Status != 200 {
		t.Fatalf("DELETE a = %d %s", r.Status, r.Body)
	}
	if got := pattern(t, c, "v", 2); got != ".." {
		t.Errorf("after DELETE: %s", got)
	}
	if r := s.emu(t, "DELETE", "faults/"+a.ID, ""); r.Status != 404 {
		t.Errorf("DELETE a again = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "DELETE", "faults", ""); r.Status != 200 || string(r.Body) != `{"deleted":1}` {
		t.Errorf("DELETE all = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "GET", "faults", ""); r.Status != 200 || string(r.Body) != `[]` {
		t.Errorf("GET after DELETE all = %d %s", r.Status, r.Body)
	}
}

func TestBadRulesAreRefused(t *testing.T) {
	s := newServer(t)
	for _, body := range []string{
		``, `[]`, `{`, `{"operations":["DescribeVault"]}`,
		`{"operations":["UploadArchiv"],"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":[],"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"colour":"red","effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"effect":{"error":{"preset":"ThrottlingException","extra":1}}}`,
		`{"operations":["DescribeVault"],"probability":1.5,"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"nth":0,"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"count":-1,"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"count":"2","effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"ttl":0,"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"expires":"tomorrow","effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["DescribeVault"],"effect":{"error":{"preset":"Nope"}}}`,
		`{"operations":["DescribeVault"],"effect":{"error":{"code":"X","status":200}}}`,
		`{"operations":["DescribeVault"],"effect":{"latency":{"before":"forever"}}}`,
		`{"operations":["DescribeVault"],"effect":{"latency":{"before":"1h"}}}`,
		`{"operations":["DescribeVault"],"effect":{"job":{"fail":"x"}}}`,
		`{"operations":["DescribeVault"],"effect":{"corrupt":{}}}`,
		`{"operations":["GetJobOutput"],"effect":{"reset":{}}}`,
		`{"operations":["GetJobOutput"],"effect":{"error":{"preset":"ThrottlingException"},"corrupt":{}}}`,
		`{"operations":["DescribeVault"],"tier":"Expedited","effect":{"latency":{"before":"1ms"}}}`,
		`{"operations":["DescribeVault"],"effect":{}} {}`,
		`{"id":"log","operations":["DescribeVault"],"effect":{"latency":{"before":"1ms"}}}`,
		`{"id":"a b","operations":["DescribeVault"],"effect":{"latency":{"before":"1ms"}}}`,
	} {
		r := s.emu(t, "POST", "faults", body)
		var e struct{ Code, Message, Type string }
		if r.Status != 400 || json.Unmarshal(r.Body, &e) != nil || e.Code != "InvalidParameterValueException" || e.Message == "" || e.Type != "Client" {
			t.Errorf("POST %s = %d %s, want 400 InvalidParameterValueException", body, r.Status, r.Body)
		}
	}
	if r := s.emu(t, "GET", "faults", ""); string(r.Body) != `[]` {
		t.Errorf("refused rules were stored: %s", r.Body)
	}
}

// With --credentials only administrators may see or change the rules.
func TestOnlyAdministratorsChangeRules(t *testing.T) {
	s := newServer(t, func(c *config.Config) { c.Credentials = credentialsFile(t) })
	rule := `{"operations":["ListVaults"],"effect":{"latency":{"before":"1ms"}}}`
	for _, who := range []struct{ key, secret string }{{"", ""}, {accessKey, secret}} {
		s.key, s.secret = who.key, who.secret
		if r := s.emu(t, "POST", "faults", rule); r.Status != 403 && r.Status != 400 {
			t.Errorf("POST faults as %q = %d %s, want refused", who.key, r.Status, r.Body)
		}
	}
	s.key, s.secret = "AKIDADMIN", "admin-secret"
	s.addRule(t, rule)
	if r := s.emu(t, "DELETE", "faults", ""); r.Status != 200 {
		t.Errorf("DELETE faults as administrator = %d %s", r.Status, r.Body)
	}
	s.key, s.secret = accessKey, secret
	if r := s.emu(t, "DELETE", "faults", ""); r.Status != 403 || !strings.Contains(string(r.Body), "AccessDenied") {
		t.Errorf("DELETE faults as a plain account = %d %s", r.Status, r.Body)
	}
}

// LocalStack's chaos API at its own paths: POST sets its list, GET shows
// it, DELETE removes; effects add latency.
func TestLocalStackChaos(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	r := s.emu(t, "POST", "/_localstack/chaos/faults", `[{"service":"glacier","region":"us-east-1","operation":"DescribeVault","probability":1,"error":{"statusCode":503,"code":"ServiceUnavailable"}}]`)
	if r.Status != 200 {
		t.Fatalf("POST chaos faults = %d %s", r.Status, r.Body)
	}
	_, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String("v")})
	if code, status := apiError(err); code != "ServiceUnavailable" || status != 503 {
		t.Errorf("DescribeVault under chaos = %v", err)
	}
	var listed []faults.LocalStackFault
	if r := s.emu(t, "GET", "/_localstack/chaos/faults", ""); json.Unmarshal(r.Body, &listed) != nil || len(listed) != 1 || listed[0].Operation != "DescribeVault" {
		t.Errorf("GET chaos faults = %s", r.Body)
	}
	// PATCH adds; a /_permafrost/faults rule is not LocalStack's to list or replace.
	s.addRule(t, `{"id":"own","operations":["ListJobs"],"effect":{"latency":{"before":"1ms"}}}`)
	if r := s.emu(t, "PATCH", "/_localstack/chaos/faults", `[{"operation":"ListVaults"}]`); json.Unmarshal(r.Body, &listed) != nil || len(listed) != 2 ||
		listed[1].Error == nil || listed[1].Error.StatusCode != 503 || listed[1].Error.Code != "ServiceUnavailable" {
		t.Errorf("PATCH chaos faults = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "DELETE", "/_localstack/chaos/faults", `[{"operation":"ListVaults"}]`); json.Unmarshal(r.Body, &listed) != nil || len(listed) != 1 {
		t.Errorf("DELETE one chaos fault = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "GET", "faults/own", ""); r.Status != 200 {
		t.Errorf("the permafrost rule after LocalStack's changes = %d %s", r.Status, r.Body)
	}
	s.emu(t, "DELETE", "faults/own", "")
	if r := s.emu(t, "POST", "/_localstack/chaos/faults", `[{"service":"s3"}]`); r.Status != 400 {
		t.Errorf("an s3 fault = %d %s, want 400", r.Status, r.Body)
	}
	if r := s.emu(t, "DELETE", "/_localstack/chaos/faults", `[{"service":"glacier","region":"us-east-1","operation":"DescribeVault","probability":1,"error":{"statusCode":503,"code":"ServiceUnavailable"}}]`); r.Status != 200 || string(r.Body) != `[]` {
		t.Errorf("DELETE chaos fault = %d %s", r.Status, r.Body)
	}
	if got := archives(t, c, "v"); got != 0 {
		t.Errorf("archives = %d", got)
	}
	if r := s.emu(t, "POST", "/_localstack/chaos/effects", `{"latency":250}`); r.Status != 200 || string(r.Body) != `{"latency":250}` {
		t.Fatalf("POST effects = %d %s", r.Status, r.Body)
	}
	began := time.Now()
	archives(t, c, "v")
	if d := time.Since(began); d < 250*time.Millisecond {
		t.Errorf("DescribeVault with 250ms of latency took %v", d)
	}
	if r := s.emu(t, "POST", "/_localstack/chaos/effects", `{"latency":0}`); r.Status != 200 {
		t.Fatalf("POST effects 0 = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "GET", "faults", ""); string(r.Body) != `[]` {
		t.Errorf("rules after clearing the chaos: %s", r.Body)
	}
}
