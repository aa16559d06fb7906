package app

import (
	"fmt"
	"log/slog"

	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/store/boltdb"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/postgres"
)

// openStore opens the store --metadata (or --memory) names: memory (with
// memory blobs), bolt under --data-dir (with file blobs there), or
// PostgreSQL with file blobs under --data-dir.
func openStore(cfg config.Config, logger *slog.Logger, faults *diskfault.Injector) (glacier.Store, error) {
	switch cfg.MetadataKind() {
	case config.MetadataMemory:
		return memory.New(), nil
	case config.MetadataPostgres:
		blobs, err := fsblob.Open(cfg.DataDir, faults)
		if err != nil {
			return nil, err
		}
		s, err := postgres.Open(cfg.Metadata, blobs, postgres.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("--metadata %s: %w", config.RedactURL(cfg.Metadata), err)
		}
		logger.Info("metadata in PostgreSQL with blobs under --data-dir: run one process only; several replicas need a blob store they share",
			"metadata", config.RedactURL(cfg.Metadata), "data-dir", cfg.DataDir)
		return s, nil
	}
	return boltdb.Open(cfg.DataDir, boltdb.Options{Logger: logger, Faults: faults})
}
