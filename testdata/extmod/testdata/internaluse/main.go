// Command internaluse must NOT build: it imports one of permafrost's
// internal packages from another module, which the go command refuses
// ("use of internal package ... not allowed"). permafrosttest's
// TestExternalModule checks that it is refused, so the external module's
// passing test proves the public API is enough on its own.
package main

import "permafrost/internal/config"

func main() { _ = config.Default() }
