package api_test

// Vault access policy and notification configuration (spec 2.5, 2.6, 5.2,
// 5.3).

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func cpSetAccessPolicy(t *testing.T, c *glacier.Client, vault, policy string) error {
	_, err := c.SetVaultAccessPolicy(t.Context(), &glacier.SetVaultAccessPolicyInput{
		VaultName: aws.String(vault), Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}})
	return err
}

// cpPolicyOfSize returns a valid JSON policy document of exactly n bytes.
func cpPolicyOfSize(t *testing.T, n int) string {
	t.Helper()
	head, tail := `{"Version":"2012-10-17","Statement":[{"Sid":"`, `","Effect":"Allow","Principal":"*","Action":"glacier:ListJobs","Resource":"*"}]}`
	fill := n - len(head) - len(tail)
	if fill < 1 {
		t.Fatalf("policy of %d bytes is too small", n)
	}
	p := head + strings.Repeat("s", fill) + tail
	if !json.Valid([]byte(p)) || len(p) != n {
		t.Fatalf("bad generated policy (%d bytes)", len(p))
	}
	return p
}

func TestCPAccessPolicy(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "v")
	get := func() (*glacier.GetVaultAccessPolicyOutput, error) {
		return c.GetVaultAccessPolicy(t.Context(), &glacier.GetVaultAccessPolicyInput{VaultName: aws.String("v")})
	}

	t.Run("get when none", func(t *testing.T) {
		_, err := get()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	})

	t.Run("delete when none", func(t *testing.T) {
		out, err := c.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String("v")})
		mustOK(t, "DeleteVaultAccessPolicy", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	})

	t.Run("set, get, replace, delete", func(t *testing.T) {
		out, err := c.SetVaultAccessPolicy(t.Context(), &glacier.SetVaultAccessPolicyInput{
			VaultName: aws.String("v"), Policy: &types.VaultAccessPolicy{Policy: aws.String(cpPolicy)}})
		mustOK(t, "SetVaultAccessPolicy", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		g, err := get()
		mustOK(t, "GetVaultAccessPolicy", err)
		wantStatus(t, g.ResultMetadata, http.StatusOK)
		if g.Policy == nil || aws.ToString(g.Policy.Policy) != cpPolicy {
			t.Errorf("Policy = %v, want %s", g.Policy, cpPolicy)
		}

		r := cpRaw(t, srv, "GET", "/-/vaults/v/access-policy", "")
		cpWantRawStatus(t, r, http.StatusOK)
		var body map[string]string
		if err := json.Unmarshal(r.Body, &body); err != nil || body["Policy"] != cpPolicy || len(body) != 1 {
			t.Errorf("raw body = %s (%v), want {\"Policy\": <the policy string>}", r.Body, err)
		}

		replaced := cpPolicyOfSize(t, 300)
		mustOK(t, "replace", cpSetAccessPolicy(t, c, "v", replaced))
		g, err = get()
		mustOK(t, "GetVaultAccessPolicy", err)
		if aws.ToString(g.Policy.Policy) != replaced {
			t.Errorf("replaced policy = %s", aws.ToString(g.Policy.Policy))
		}

		d, err := c.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String("v")})
		mustOK(t, "DeleteVaultAccessPolicy", err)
		wantStatus(t, d.ResultMetadata, http.StatusNoContent)
		_, err = get()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	})

	t.Run("20 KB is the maximum", func(t *testing.T) {
		mustOK(t, "20480-byte policy", cpSetAccessPolicy(t, c, "v", cpPolicyOfSize(t, 20*1024)))
		err := cpSetAccessPolicy(t, c, "v", cpPolicyOfSize(t, 20*1024+1))
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		g, err := get()
		mustOK(t, "GetVaultAccessPolicy", err)
		if n := len(aws.ToString(g.Policy.Policy)); n != 20*1024 {
			t.Errorf("a rejected policy replaced the stored one: %d bytes", n)
		}
	})

	invalid := map[string]string{
		"not JSON":   "this is not a policy",
		"truncated":  `{"Version":"2012-10-17"`,
		"JSON array": `[]`,
		"empty":      "",
	}
	for name, p := range invalid {
		t.Run("invalid/"+name, func(t *testing.T) {
			requireAPIError(t, cpSetAccessPolicy(t, c, "v", p), http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}

	t.Run("missing Policy field", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/v/access-policy", `{}`)
		requireRawError(t, r, http.StatusBadRequest, "MissingParameterValueException", "")
	})

	t.Run("missing vault", func(t *testing.T) {
		msg := "Vault not found for ARN: " + vaultARN(testRegion, testAccount, "nope")
		requireAPIError(t, cpSetAccessPolicy(t, c, "nope", cpPolicy), http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err := c.GetVaultAccessPolicy(t.Context(), &glacier.GetVaultAccessPolicyInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = c.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
	})
}

func cpSetNotifications(t *testing.T, c *glacier.Client, vault, topic string, events ...string) error {
	cfg := &types.VaultNotificationConfig{Events: events}
	if topic != "" {
		cfg.SNSTopic = aws.String(topic)
	}
	_, err := c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{
		VaultName: aws.String(vault), VaultNotificationConfig: cfg})
	return err
}

func TestCPNotifications(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "v")
	get := func() (*glacier.GetVaultNotificationsOutput, error) {
		return c.GetVaultNotifications(t.Context(), &glacier.GetVaultNotificationsInput{VaultName: aws.String("v")})
	}

	t.Run("get when none", func(t *testing.T) {
		_, err := get()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	})

	t.Run("delete when none", func(t *testing.T) {
		out, err := c.DeleteVaultNotifications(t.Context(), &glacier.DeleteVaultNotificationsInput{VaultName: aws.String("v")})
		mustOK(t, "DeleteVaultNotifications", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	})

	t.Run("set, get, overwrite, delete", func(t *testing.T) {
		both := []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"}
		out, err := c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{
			VaultName: aws.String("v"),
			VaultNotificationConfig: &types.VaultNotificationConfig{
				SNSTopic: aws.String(cpTopic), Events: both}})
		mustOK(t, "SetVaultNotifications", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		g, err := get()
		mustOK(t, "GetVaultNotifications", err)
		wantStatus(t, g.ResultMetadata, http.StatusOK)
		if g.VaultNotificationConfig == nil {
			t.Fatal("VaultNotificationConfig is nil")
		}
		if got := aws.ToString(g.VaultNotificationConfig.SNSTopic); got != cpTopic {
			t.Errorf("SNSTopic = %q", got)
		}
		if got := slices.Sorted(slices.Values(g.VaultNotificationConfig.Events)); !slices.Equal(got, both) {
			t.Errorf("Events = %v, want %v", got, both)
		}

		r := cpRaw(t, srv, "GET", "/-/vaults/v/notification-configuration", "")
		cpWantRawStatus(t, r, http.StatusOK)
		var body struct {
			SNSTopic string
			Events   []string
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.SNSTopic != cpTopic {
			t.Errorf("raw body = %s (%v); want the unwrapped config", r.Body, err)
		}

		other := "arn:aws:sns:eu-west-1:210987654321:other-topic"
		mustOK(t, "overwrite", cpSetNotifications(t, c, "v", other, "InventoryRetrievalCompleted"))
		g, err = get()
		mustOK(t, "GetVaultNotifications", err)
		if aws.ToString(g.VaultNotificationConfig.SNSTopic) != other ||
			!slices.Equal(g.VaultNotificationConfig.Events, []string{"InventoryRetrievalCompleted"}) {
			t.Errorf("after overwrite: %s %v", aws.ToString(g.VaultNotificationConfig.SNSTopic), g.VaultNotificationConfig.Events)
		}

		d, err := c.DeleteVaultNotifications(t.Context(), &glacier.DeleteVaultNotificationsInput{VaultName: aws.String("v")})
		mustOK(t, "DeleteVaultNotifications", err)
		wantStatus(t, d.ResultMetadata, http.StatusNoContent)
		_, err = get()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	})

	for _, ev := range []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"} {
		t.Run("single event "+ev, func(t *testing.T) {
			mustOK(t, "SetVaultNotifications", cpSetNotifications(t, c, "v", cpTopic, ev))
			g, err := get()
			mustOK(t, "GetVaultNotifications", err)
			if !slices.Equal(g.VaultNotificationConfig.Events, []string{ev}) {
				t.Errorf("Events = %v, want [%s]", g.VaultNotificationConfig.Events, ev)
			}
		})
	}

	validTopics := []string{
		"arn:aws:sns:us-west-2:012345678901:mytopic",
		"arn:aws:sns:eu-central-1:123456789012:Topic_with-dash",
		"arn:aws:sns:us-east-1:123456789012:fifo-topic.fifo",
	}
	for _, topic := range validTopics {
		t.Run("valid topic "+topic, func(t *testing.T) {
			mustOK(t, "SetVaultNotifications", cpSetNotifications(t, c, "v", topic, "ArchiveRetrievalCompleted"))
		})
	}

	invalid := []struct {
		name   string
		topic  string
		events []string
	}{
		{"unknown event", cpTopic, []string{"ArchiveDeleted"}},
		{"one good one bad", cpTopic, []string{"ArchiveRetrievalCompleted", "archiveretrievalcompleted"}},
		{"not an ARN", "mytopic", []string{"ArchiveRetrievalCompleted"}},
		{"not SNS", "arn:aws:sqs:us-east-1:123456789012:queue", []string{"ArchiveRetrievalCompleted"}},
		{"short account", "arn:aws:sns:us-east-1:12345:mytopic", []string{"ArchiveRetrievalCompleted"}},
		{"no topic name", "arn:aws:sns:us-east-1:123456789012:", []string{"ArchiveRetrievalCompleted"}},
		{"bad topic chars", "arn:aws:sns:us-east-1:123456789012:my topic", []string{"ArchiveRetrievalCompleted"}},
		{"too many parts", "arn:aws:sns:us-east-1:123456789012:a:b", []string{"ArchiveRetrievalCompleted"}},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			err := cpSetNotifications(t, c, "v", tc.topic, tc.events...)
			requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}

	t.Run("missing SNSTopic", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/v/notification-configuration", `{"Events":["ArchiveRetrievalCompleted"]}`)
		requireRawError(t, r, http.StatusBadRequest, "MissingParameterValueException", "")
	})
	t.Run("missing Events", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/v/notification-configuration", `{"SNSTopic":"`+cpTopic+`"}`)
		requireRawError(t, r, http.StatusBadRequest, "MissingParameterValueException", "")
	})

	t.Run("missing vault", func(t *testing.T) {
		msg := "Vault not found for ARN: " + vaultARN(testRegion, testAccount, "nope")
		err := cpSetNotifications(t, c, "nope", cpTopic, "ArchiveRetrievalCompleted")
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = c.GetVaultNotifications(t.Context(), &glacier.GetVaultNotificationsInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = c.DeleteVaultNotifications(t.Context(), &glacier.DeleteVaultNotificationsInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
	})
}
