package config

import (
	"fmt"
	"io"
	"log/slog"

	"permafrost/internal/logline"
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
// line (time, level, msg and the attributes as keys). The handlers are
// internal/logline's: slog's output, formatted faster for flat records.
func (c Config) NewLogger(w io.Writer) (*slog.Logger, error) {
	level, err := c.SlogLevel()
	if err != nil {
		return nil, err
	}
	if err := c.checkLogFormat(); err != nil {
		return nil, err
	}
	if c.LogFormat == LogJSON {
		return slog.New(logline.NewJSON(w, level)), nil
	}
	return slog.New(logline.NewText(w, level)), nil
}
