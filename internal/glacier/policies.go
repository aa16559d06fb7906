package glacier

import (
	"context"
	"errors"
	"strings"
)

// validPolicyDocument reports whether doc is a policy of the IAM subset
// that vault policies use, of at most 20 KB.
func (s *Service) validPolicyDocument(doc string) error {
	if len(doc) == 0 || len(doc) > MaxPolicyBytes {
		return errors.New("a policy must hold 1 to 20480 bytes")
	}
	_, err := s.policies.parse(doc)
	return err
}

// SetVaultAccessPolicy installs or replaces the vault's access policy.
func (s *Service) SetVaultAccessPolicy(ctx context.Context, ref VaultRef, policy string) error {
	if len(policy) > MaxPolicyBytes {
		return invalid("The vault access policy exceeds the maximum size of %d bytes.", MaxPolicyBytes)
	}
	if err := s.validPolicyDocument(policy); err != nil {
		return invalid("The specified vault access policy is invalid: %v", err)
	}
	return s.updateVault(ctx, ref, func(v *Vault) error {
		v.AccessPolicy = policy
		return nil
	})
}

// GetVaultAccessPolicy returns the vault's access policy.
func (s *Service) GetVaultAccessPolicy(ctx context.Context, ref VaultRef) (string, error) {
	v, err := s.viewVault(ctx, ref)
	if err != nil {
		return "", err
	}
	if v.AccessPolicy == "" {
		return "", Errorf(ResourceNotFound, "No vault access policy is set for: %s", ref.Name)
	}
	return v.AccessPolicy, nil
}

// DeleteVaultAccessPolicy removes the access policy; it succeeds when none
// is set.
func (s *Service) DeleteVaultAccessPolicy(ctx context.Context, ref VaultRef) error {
	return s.updateVault(ctx, ref, func(v *Vault) error {
		v.AccessPolicy = ""
		return nil
	})
}

// ValidTopicARN reports whether arn is a well-formed SNS topic ARN:
// arn:{partition}:sns:{region}:{12-digit account}:{topic name}.
func ValidTopicARN(arn string) bool {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sns" {
		return false
	}
	switch p[1] {
	case "aws", "aws-cn", "aws-us-gov":
	default:
		return false
	}
	if !ValidRegion(p[3]) || !ValidAccountID(p[4]) {
		return false
	}
	name := strings.TrimSuffix(p[5], ".fifo")
	if len(name) < 1 || len(p[5]) > 256 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidAccountID reports whether id is a 12-digit account ID.
func ValidAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// ValidRegion reports whether r looks like an AWS region name, such as
// us-east-1 or cn-north-1.
func ValidRegion(r string) bool {
	if len(r) < 4 || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return r[0] != '-' && r[len(r)-1] != '-'
}

// SetVaultNotifications replaces the vault's notification configuration.
func (s *Service) SetVaultNotifications(ctx context.Context, ref VaultRef, n Notifications) error {
	if n.Topic == "" {
		return Errorf(MissingParameterValue, "Required parameter missing: SNSTopic")
	}
	if !ValidTopicARN(n.Topic) {
		return invalid("Invalid SNS topic ARN: %s", n.Topic)
	}
	if len(n.Events) == 0 {
		return Errorf(MissingParameterValue, "Required parameter missing: Events")
	}
	seen := map[string]bool{}
	events := make([]string, 0, len(n.Events))
	for _, e := range n.Events {
		if e != EventArchiveRetrievalCompleted && e != EventInventoryRetrievalCompleted {
			return invalid("Invalid event: %s. Valid events are %s and %s.", e, EventArchiveRetrievalCompleted, EventInventoryRetrievalCompleted)
		}
		if !seen[e] {
			seen[e] = true
			events = append(events, e)
		}
	}
	return s.updateVault(ctx, ref, func(v *Vault) error {
		v.Notifications = &Notifications{Topic: n.Topic, Events: events}
		return nil
	})
}

// GetVaultNotifications returns the vault's notification configuration.
func (s *Service) GetVaultNotifications(ctx context.Context, ref VaultRef) (Notifications, error) {
	v, err := s.viewVault(ctx, ref)
	if err != nil {
		return Notifications{}, err
	}
	if v.Notifications == nil {
		return Notifications{}, Errorf(ResourceNotFound, "No notification configuration is set for vault: %s", ref.Name)
	}
	return *v.Notifications, nil
}

// DeleteVaultNotifications removes the notification configuration.
func (s *Service) DeleteVaultNotifications(ctx context.Context, ref VaultRef) error {
	return s.updateVault(ctx, ref, func(v *Vault) error {
		v.Notifications = nil
		return nil
	})
}
