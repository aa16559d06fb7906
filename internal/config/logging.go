package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Log formats (--log-format).
const (
	LogText = "text"
	LogJSON = "json"
)

func (c Config) checkLogFormat() error {
	switch c.LogFormat {
	case "", LogText, LogJSON:
		return nil
	}
	return fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
}

// NewLogger returns the server's logger, writing to w at --log-level in
// --log-format: text is slog's key=value lines, json one JSON object a
// line (time, level, msg and the attributes as keys).
func (c Config) NewLogger(w io.Writer) (*slog.Logger, error) {
	level, err := c.SlogLevel()
	if err != nil {
		return nil, err
	}
	if err := c.checkLogFormat(); err != nil {
		return nil, err
	}
	o := &slog.HandlerOptions{Level: level}
	if c.LogFormat == LogJSON {
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return slog.New(slog.NewTextHandler(w, o)), nil
}
