package cli

import (
	"fmt"
	"runtime"
)

// VersionLine is what a binary's version command prints: the name it is run as, its version
// (set at build time with -ldflags "-X main.version=..."), and the Go toolchain and platform that
// built it.
func VersionLine(invocation, version string) string {
	return fmt.Sprintf("%s %s (%s %s/%s)", invocation, version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
