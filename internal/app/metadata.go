package app

import (
	"fmt"
	"log/slog"

	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/store/boltdb"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/postgres"
)

// openStore opens the store --metadata (or --memory) names: memory, bolt
// under --data-dir, or PostgreSQL, with its archive bytes in blobs (what
// --blobs opened), or, when blobs is nil, in files under --data-dir.
func openStore(cfg config.Config, logger *slog.Logger, faults *diskfault.Injector, blobs glacier.Blobs, obs kvstore.Observer) (glacier.Store, error) {
	switch cfg.MetadataKind() {
	case config.MetadataMemory:
		if blobs == nil {
			blobs = memory.NewBlobs()
		}
		return kvstore.New(memory.NewEngine(), blobs), nil
	case config.MetadataPostgres:
		shared := blobs != nil
		if !shared {
			var err error
			if blobs, err = fsblob.Open(cfg.DataDir, faults); err != nil {
				return nil, err
			}
		}
		s, err := postgres.Open(cfg.Metadata, blobs, postgres.Options{Logger: logger, Observer: obs})
		if err != nil {
			return nil, fmt.Errorf("--metadata %s: %w", config.RedactURL(cfg.Metadata), err)
		}
		if !shared {
			logger.Info("metadata in PostgreSQL with blobs under --data-dir: run one process only; several replicas need a blob store they share",
				"metadata", config.RedactURL(cfg.Metadata), "data-dir", cfg.DataDir)
		}
		return s, nil
	}
	return boltdb.Open(cfg.DataDir, boltdb.Options{Logger: logger, Faults: faults, Blobs: blobs, Observer: obs})
}
