package config

import (
	"io"
	"strings"
	"testing"
)

func TestMetadata(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		kind string
		mem  bool
	}{
		{nil, nil, MetadataBolt, false},
		{[]string{"--metadata", "bolt:"}, nil, MetadataBolt, false},
		{[]string{"--metadata", "memory:"}, nil, MetadataMemory, true},
		{[]string{"--memory"}, nil, MetadataMemory, true},
		{[]string{"--memory", "--metadata", "memory:"}, nil, MetadataMemory, true},
		{nil, map[string]string{"PERMAFROST_METADATA": "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"}, MetadataPostgres, false},
		{[]string{"--metadata", "bolt:"}, map[string]string{"PERMAFROST_METADATA": "postgres://u@h/db"}, MetadataBolt, false},
		{[]string{"--metadata", "postgresql://u@h:5432/db"}, nil, MetadataPostgres, false},
	} {
		c, err := Parse(tc.args, env(tc.env), io.Discard)
		if err != nil {
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
			continue
		}
		if c.MetadataKind() != tc.kind || c.InMemory() != tc.mem {
			t.Errorf("%v %v: kind %q in memory %v, want %q %v", tc.args, tc.env, c.MetadataKind(), c.InMemory(), tc.kind, tc.mem)
		}
	}
}

func TestMetadataRejected(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--metadata", "mysql://u:secret@h/db"}, "--metadata must be bolt:, memory: or postgres://"},
		{[]string{"--metadata", "bolt:x"}, "--metadata must be"},
		{[]string{"--memory", "--metadata", "postgres://u:secret@h/db"}, "cannot be combined"},
		{[]string{"--memory", "--metadata", "bolt:"}, "cannot be combined"},
		{[]string{"--metadata", "postgres:///db"}, "is not a postgres://"},
	} {
		_, err := Parse(tc.args, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error containing %q", tc.args, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: the error shows the password: %v", tc.args, err)
		}
	}
}

func TestStorageSummaryHidesPassword(t *testing.T) {
	c := Default()
	c.Metadata = "postgres://u:secret@127.0.0.1:5432/db"
	if s := c.StorageSummary(); strings.Contains(s, "secret") || !strings.Contains(s, "127.0.0.1:5432/db") {
		t.Errorf("StorageSummary = %q", s)
	}
}
