package glacier

import "context"

// AddTagsToVault adds or overwrites tags; a vault holds at most 50.
func (s *Service) AddTagsToVault(ctx context.Context, ref VaultRef, tags map[string]string) error {
	if len(tags) < 1 || len(tags) > MaxTagsPerRequest {
		return invalid("The number of tags in a request must be between 1 and %d.", MaxTagsPerRequest)
	}
	for k, v := range tags {
		if err := validateTagKey(k); err != nil {
			return err
		}
		if err := validateTagValue(k, v); err != nil {
			return err
		}
	}
	return s.updateVault(ctx, ref, func(v *Vault) error {
		n := len(v.Tags)
		for k := range tags {
			if _, ok := v.Tags[k]; !ok {
				n++
			}
		}
		if n > MaxTagsPerVault {
			return Errorf(LimitExceeded, "The request would exceed the limit of %d tags per vault: %s", MaxTagsPerVault, ref.ARN())
		}
		if v.Tags == nil {
			v.Tags = map[string]string{}
		}
		for k, val := range tags {
			v.Tags[k] = val
		}
		return nil
	})
}

// RemoveTagsFromVault removes tags; keys that are not set are ignored.
func (s *Service) RemoveTagsFromVault(ctx context.Context, ref VaultRef, keys []string) error {
	if len(keys) < 1 || len(keys) > MaxTagsPerRequest {
		return invalid("The number of tag keys in a request must be between 1 and %d.", MaxTagsPerRequest)
	}
	for _, k := range keys {
		if err := validateTagKey(k); err != nil {
			return err
		}
	}
	return s.updateVault(ctx, ref, func(v *Vault) error {
		for _, k := range keys {
			delete(v.Tags, k)
		}
		return nil
	})
}

// ListTagsForVault returns the vault's tags (an empty map when none).
func (s *Service) ListTagsForVault(ctx context.Context, ref VaultRef) (map[string]string, error) {
	v, err := s.viewVault(ctx, ref)
	if err != nil {
		return nil, err
	}
	if v.Tags == nil {
		return map[string]string{}, nil
	}
	return v.Tags, nil
}
