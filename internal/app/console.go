package app

import (
	"net/http"

	"permafrost/internal/console"
	"permafrost/internal/sigv4"
)

// newConsole returns the web console at /_permafrost/console/, reading
// through the server's Service and moving its clock.
func (m *Main) newConsole(creds *sigv4.Credentials) (http.Handler, error) {
	return console.New(console.Options{Service: m.Service, Emulator: m, Credentials: creds, Logger: m.Logger,
		Publishing: m.Config.SNSEndpoint != ""})
}
