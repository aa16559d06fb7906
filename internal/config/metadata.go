package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Metadata backends (--metadata).
const (
	MetadataBolt     = "bolt"
	MetadataMemory   = "memory"
	MetadataPostgres = "postgres"
)

// MetadataKind is the metadata backend in force: --metadata's scheme, else
// memory with --memory, else bolt. An invalid --metadata is "" (Validate
// reports it).
func (c Config) MetadataKind() string {
	m := strings.TrimSpace(c.Metadata)
	switch {
	case m == "":
		if c.Memory {
			return MetadataMemory
		}
		return MetadataBolt
	case m == "bolt:" || m == "bolt":
		return MetadataBolt
	case m == "memory:" || m == "memory":
		return MetadataMemory
	case strings.HasPrefix(m, "postgres://") || strings.HasPrefix(m, "postgresql://"):
		return MetadataPostgres
	}
	return ""
}

// InMemory reports whether all state is kept in memory (--memory, or
// --metadata memory:, whose blobs are then in memory too).
func (c Config) InMemory() bool { return c.MetadataKind() == MetadataMemory }

// validateMetadata checks --metadata and its combination with --memory.
func (c Config) validateMetadata() error {
	kind := c.MetadataKind()
	switch {
	case kind == "":
		return fmt.Errorf("--metadata must be bolt:, memory: or postgres://user:password@host:port/database?..., got %q", RedactURL(c.Metadata))
	case c.Memory && kind != MetadataMemory:
		return fmt.Errorf("--memory keeps the metadata in memory; it cannot be combined with --metadata %s", RedactURL(c.Metadata))
	case kind == MetadataPostgres:
		if u, err := url.Parse(c.Metadata); err != nil || u.Host == "" {
			return fmt.Errorf("--metadata: %q is not a postgres://user:password@host:port/database URL", RedactURL(c.Metadata))
		}
	}
	return nil
}

// StorageSummary says where state is kept, for the start line.
func (c Config) StorageSummary() string {
	var where string
	switch c.MetadataKind() {
	case MetadataMemory:
		return "data in memory only"
	case MetadataPostgres:
		where = "metadata in PostgreSQL " + RedactURL(c.Metadata)
	default:
		where = "metadata in " + c.DataDir
	}
	b, _ := c.BlobStore()
	switch {
	case b.Kind == BlobsS3:
		return where + ", archive bytes in s3://" + b.Bucket + "/" + b.Prefix
	case b.Dir != "":
		return where + ", archive bytes in " + b.Dir
	}
	return where + ", archive bytes in " + c.DataDir
}

// RedactURL hides the password of a URL.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if strings.Contains(s, "@") {
			return "(a URL that cannot be parsed)"
		}
		return s
	}
	return u.Redacted()
}
