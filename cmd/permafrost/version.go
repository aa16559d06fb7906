package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Release builds may set these with the linker, e.g.
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=$(git rev-parse HEAD) -X main.date=$(date -u +%FT%TZ)" ./cmd/permafrost
//
// Whatever is left empty comes from the build information the go command
// records (the main module's version, vcs.revision, vcs.time, vcs.modified).
var (
	version string
	commit  string
	date    string
)

// versionLine is what --version prints: "permafrost VERSION commit REV
// [TIME] [modified] GOVERSION OS/ARCH", with VERSION "(devel)" and REV
// "unknown" when neither the linker flags nor the build information say
// (the go command stamps vcs.* only when building inside a git checkout
// whose .git is a directory, with -buildvcs left at auto or true).
func versionLine() string {
	v, c, d, modified := version, commit, date, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.time":
				if d == "" {
					d = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true" && commit == "" // describes vcs.revision only
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if c == "" {
		c = "unknown"
	}
	line := fmt.Sprintf("permafrost %s commit %s", v, c)
	if d != "" {
		line += " " + d
	}
	if modified {
		line += " modified"
	}
	return line + fmt.Sprintf(" %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
