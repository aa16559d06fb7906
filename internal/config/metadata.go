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

// StorageSummary says where state is kept, for the start line: "data in
// DIR" for the default durable store, with where the archive bytes are when
// --blobs moves them, or where the metadata is when it is not in DIR.
func (c Config) StorageSummary() string {
	b, _ := c.BlobStore()
	var bytes string
	switch {
	case b.Kind == BlobsS3:
		bytes = "archive bytes in s3://" + b.Bucket + "/" + b.Prefix
	case b.Dir != "":
		bytes = "archive bytes in " + b.Dir
	}
	switch c.MetadataKind() {
	case MetadataMemory:
		return "data in memory only"
	case MetadataPostgres:
		if bytes == "" {
			bytes = "blobs in " + c.DataDir
		}
		return "metadata in PostgreSQL " + RedactURL(c.Metadata) + ", " + bytes
	}
	if bytes == "" {
		return "data in " + c.DataDir
	}
	return "data in " + c.DataDir + ", " + bytes
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
