package conformance

// Scenarios of the control-plane operations: vaults, tags, access policy,
// notifications, vault lock, data retrieval policy and provisioned capacity.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

// scenarios returns the scenario of every operation.
func scenarios() map[string]scenario {
	out := map[string]scenario{}
	for _, part := range []map[string]scenario{controlPlane(), dataPlane()} {
		for k, v := range part {
			if _, dup := out[k]; dup {
				panic("two scenarios for " + k)
			}
			out[k] = v
		}
	}
	return out
}

// ---- invalid requests shared by many operations ----

const missingVault = "conformance-no-such-vault"

func unknownVault() invalidCase {
	return invalidCase{"unknown vault", func(_ *env, p params) request {
		return request{p: p.with("vaultName", missingVault)}
	}}
}

func noVersion() invalidCase {
	return invalidCase{"no x-amz-glacier-version", func(_ *env, p params) request {
		return request{p: p, mutate: headerDropper("x-amz-glacier-version")}
	}}
}

// otherAccount names a well-formed account that is not the caller's, for
// the operations whose account must be the caller's (spec 1.1).
func otherAccount() invalidCase {
	return invalidCase{"another account", func(_ *env, p params) request {
		return request{p: p.with("accountId", "111111111111")}
	}}
}

func malformedAccount() invalidCase {
	return invalidCase{"malformed account ID", func(_ *env, p params) request {
		return request{p: p.with("accountId", "not-an-account")}
	}}
}

// withParams changes input members.
func withParams(name string, kv ...any) invalidCase {
	return invalidCase{name, func(_ *env, p params) request { return request{p: p.with(kv...)} }}
}

// dropHeader removes a request header the binding set.
func dropHeader(name, header string) invalidCase {
	return invalidCase{name, func(_ *env, p params) request {
		return request{p: p, mutate: headerDropper(header)}
	}}
}

// malformedBody sends body instead of the JSON the binding builds.
func malformedBody(body string) invalidCase {
	return invalidCase{"malformed JSON body", func(_ *env, p params) request {
		return request{p: p, rawBody: []byte(body)}
	}}
}

func one(p params) []variant { return []variant{{name: "valid", p: p}} }

func controlPlane() map[string]scenario {
	return map[string]scenario{
		"CreateVault": {
			valid: func(*env) []variant { return one(params{"vaultName": "conformance"}) },
			invalid: []invalidCase{
				withParams("invalid vault name", "vaultName", "bad name!"),
				otherAccount(),
				noVersion(),
			},
		},
		"DescribeVault": {
			valid: func(e *env) []variant {
				e.vault("fresh")
				full := e.vault("full")
				e.upload(full, data(1000, 1), "an archive")
				return []variant{
					{name: "fresh vault", p: params{"vaultName": "fresh"}},
					{name: "vault with an archive", p: params{"vaultName": full}},
				}
			},
			invalid: []invalidCase{unknownVault(), noVersion()},
		},
		"ListVaults": {
			valid: func(e *env) []variant {
				e.vault("conformance-a")
				e.upload(e.vault("conformance-b"), data(10, 2), "")
				e.vault("conformance-c")
				return []variant{
					{name: "first page", p: params{"limit": "2"}}, // Marker set
					{name: "all", p: params{}},                    // Marker null
				}
			},
			invalid: []invalidCase{
				withParams("limit 0", "limit", "0"),
				otherAccount(),
				noVersion(),
			},
		},
		"DeleteVault": {
			valid: func(e *env) []variant { return one(params{"vaultName": e.vault("doomed")}) },
			invalid: []invalidCase{
				{"non-empty vault", func(e *env, p params) request {
					v := e.vault("nonempty")
					e.upload(v, data(100, 3), "")
					return request{p: p.with("vaultName", v)}
				}},
				noVersion(),
			},
		},
		"AddTagsToVault": {
			valid: func(e *env) []variant {
				return one(params{"vaultName": e.vault("tagged"), "Tags": map[string]string{"project": "permafrost", "empty": ""}})
			},
			invalid: []invalidCase{
				unknownVault(),
				withParams("eleven tags in one request", "Tags", elevenTags()),
				withParams("reserved aws: key", "Tags", map[string]string{"aws:owner": "x"}),
			},
		},
		"RemoveTagsFromVault": {
			valid: func(e *env) []variant {
				v := e.vault("tagged")
				e.tag(v, map[string]string{"project": "permafrost", "stage": "test"})
				return one(params{"vaultName": v, "TagKeys": []string{"project"}})
			},
			invalid: []invalidCase{unknownVault(), malformedBody(`{"TagKeys":`), noVersion()},
		},
		"ListTagsForVault": {
			valid: func(e *env) []variant {
				v := e.vault("tagged")
				e.tag(v, map[string]string{"project": "permafrost", "empty": ""})
				return []variant{
					{name: "tagged vault", p: params{"vaultName": v}},
					{name: "untagged vault", p: params{"vaultName": e.vault("plain")}},
				}
			},
			invalid: []invalidCase{unknownVault(), noVersion()},
		},
		"SetVaultAccessPolicy": {
			valid: func(e *env) []variant {
				return one(params{"vaultName": e.vault("v"), "policy": map[string]string{"Policy": policyDoc}})
			},
			invalid: []invalidCase{
				unknownVault(),
				withParams("policy that is not JSON", "policy", map[string]string{"Policy": "not a policy"}),
				withParams("no Policy member", "policy", map[string]string{}),
			},
		},
		"GetVaultAccessPolicy": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				_, err := e.c.SetVaultAccessPolicy(e.ctx, &glacier.SetVaultAccessPolicyInput{VaultName: aws.String(v),
					Policy: &types.VaultAccessPolicy{Policy: aws.String(policyDoc)}})
				e.must("SetVaultAccessPolicy", err)
				return one(params{"vaultName": v})
			},
			invalid: []invalidCase{
				{"vault without a policy", func(e *env, p params) request { return request{p: p.with("vaultName", e.vault("bare"))} }},
				unknownVault(),
			},
		},
		"DeleteVaultAccessPolicy": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				_, err := e.c.SetVaultAccessPolicy(e.ctx, &glacier.SetVaultAccessPolicyInput{VaultName: aws.String(v),
					Policy: &types.VaultAccessPolicy{Policy: aws.String(policyDoc)}})
				e.must("SetVaultAccessPolicy", err)
				return one(params{"vaultName": v})
			},
			invalid: []invalidCase{unknownVault(), noVersion()},
		},
		"SetVaultNotifications": {
			valid: func(e *env) []variant {
				return one(params{"vaultName": e.vault("v"), "vaultNotificationConfig": map[string]any{
					"SNSTopic": topicARN, "Events": []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"}}})
			},
			invalid: []invalidCase{
				unknownVault(),
				withParams("unknown event", "vaultNotificationConfig", map[string]any{"SNSTopic": topicARN, "Events": []string{"VaultDeleted"}}),
				withParams("malformed topic", "vaultNotificationConfig", map[string]any{"SNSTopic": "topic", "Events": []string{"ArchiveRetrievalCompleted"}}),
			},
		},
		"GetVaultNotifications": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				e.notify(v)
				return one(params{"vaultName": v})
			},
			invalid: []invalidCase{
				{"vault without notifications", func(e *env, p params) request { return request{p: p.with("vaultName", e.vault("bare"))} }},
				unknownVault(),
			},
		},
		"DeleteVaultNotifications": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				e.notify(v)
				return one(params{"vaultName": v})
			},
			invalid: []invalidCase{unknownVault(), noVersion()},
		},
		"InitiateVaultLock": {
			valid: func(e *env) []variant {
				return one(params{"vaultName": e.vault("v"), "policy": map[string]string{"Policy": policyDoc}})
			},
			invalid: []invalidCase{
				unknownVault(),
				withParams("policy that is not JSON", "policy", map[string]string{"Policy": "{"}),
				// the valid request left a lock in progress on the vault
				{"lock already in progress", func(_ *env, p params) request { return request{p: p} }},
			},
		},
		"GetVaultLock": {
			valid: func(e *env) []variant {
				e.lock(e.vault("inprogress"))
				locked := e.vault("locked")
				id := e.lock(locked)
				_, err := e.c.CompleteVaultLock(e.ctx, &glacier.CompleteVaultLockInput{VaultName: aws.String(locked), LockId: aws.String(id)})
				e.must("CompleteVaultLock", err)
				return []variant{
					{name: "lock in progress", p: params{"vaultName": "inprogress"}},
					{name: "locked", p: params{"vaultName": locked}},
				}
			},
			invalid: []invalidCase{
				{"vault without a lock", func(e *env, p params) request { return request{p: p.with("vaultName", e.vault("bare"))} }},
				unknownVault(),
			},
		},
		"CompleteVaultLock": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				return one(params{"vaultName": v, "lockId": e.lock(v)})
			},
			invalid: []invalidCase{
				{"wrong lock ID", func(e *env, p params) request {
					v := e.vault("other")
					e.lock(v)
					return request{p: p.with("vaultName", v, "lockId", "AAAAAAAAAAAAAAAAAAAAAAAA")}
				}},
				unknownVault(),
				noVersion(),
			},
		},
		"AbortVaultLock": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				e.lock(v)
				return one(params{"vaultName": v})
			},
			invalid: []invalidCase{
				{"locked vault", func(e *env, p params) request {
					v := e.vault("locked")
					_, err := e.c.CompleteVaultLock(e.ctx, &glacier.CompleteVaultLockInput{VaultName: aws.String(v), LockId: aws.String(e.lock(v))})
					e.must("CompleteVaultLock", err)
					return request{p: p.with("vaultName", v)}
				}},
				unknownVault(),
			},
		},
		"GetDataRetrievalPolicy": {
			valid: func(e *env) []variant {
				return []variant{
					{name: "default policy", p: params{}},
					{name: "BytesPerHour policy", p: params{}, before: func() {
						_, err := e.c.SetDataRetrievalPolicy(e.ctx, &glacier.SetDataRetrievalPolicyInput{Policy: &types.DataRetrievalPolicy{
							Rules: []types.DataRetrievalRule{{Strategy: aws.String("BytesPerHour"), BytesPerHour: aws.Int64(10 << 30)}}}})
						e.must("SetDataRetrievalPolicy", err)
					}},
				}
			},
			invalid: []invalidCase{otherAccount(), noVersion()},
		},
		"SetDataRetrievalPolicy": {
			valid: func(*env) []variant {
				return []variant{
					{name: "BytesPerHour", p: params{"Policy": map[string]any{
						"Rules": []map[string]any{{"Strategy": "BytesPerHour", "BytesPerHour": int64(10 << 30)}}}}},
					{name: "FreeTier", p: params{"Policy": map[string]any{"Rules": []map[string]any{{"Strategy": "FreeTier"}}}}},
				}
			},
			invalid: []invalidCase{
				withParams("two rules", "Policy", map[string]any{"Rules": []map[string]any{{"Strategy": "None"}, {"Strategy": "FreeTier"}}}),
				withParams("BytesPerHour with strategy None", "Policy", map[string]any{
					"Rules": []map[string]any{{"Strategy": "None", "BytesPerHour": 5}}}),
				otherAccount(),
			},
		},
		"PurchaseProvisionedCapacity": {
			valid: func(*env) []variant { return one(params{}) },
			invalid: []invalidCase{
				{"third unit", func(e *env, p params) request {
					e.purchase() // the valid request bought the first
					return request{p: p}
				}},
				malformedAccount(),
				noVersion(),
			},
		},
		"ListProvisionedCapacity": {
			valid: func(e *env) []variant {
				return []variant{
					{name: "no units", p: params{}},
					{name: "one unit", p: params{}, before: func() { e.purchase() }},
				}
			},
			invalid: []invalidCase{malformedAccount(), noVersion()},
		},
	}
}

func elevenTags() map[string]string {
	tags := map[string]string{}
	for i := range 11 {
		tags[string(rune('a'+i))+"-key"] = "v"
	}
	return tags
}

// notify configures the vault's notifications.
func (e *env) notify(vault string) {
	e.t.Helper()
	_, err := e.c.SetVaultNotifications(e.ctx, &glacier.SetVaultNotificationsInput{VaultName: aws.String(vault),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String(topicARN),
			Events: []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"}}})
	e.must("SetVaultNotifications", err)
}
