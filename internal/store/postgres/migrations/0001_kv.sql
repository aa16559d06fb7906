-- The key-value table of every kvstore bucket. The primary key is the only
-- index: kvstore's keys are designed so that every listing is one range of
-- it (see doc.go). COLLATE "C" compares bucket names bytewise; bytea keys
-- compare bytewise, as bbolt's do.
CREATE TABLE permafrost_kv (
	bucket text COLLATE "C" NOT NULL,
	key    bytea NOT NULL,
	value  bytea NOT NULL,
	PRIMARY KEY (bucket, key)
);
