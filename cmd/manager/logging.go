package main

import (
	"os"

	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// devCommand is the name parseFlagsOnly gets for manager dev.
const devCommand = "manager dev"

// logOptions are the logging defaults, before the --zap-* flags: JSON lines, for a log collector,
// except for manager dev writing to a terminal, where a person reads them: one line of text per
// entry, with the time of day, and no stack traces below panics. The level stays info.
func logOptions(dev, terminal bool) zap.Options {
	if !dev || !terminal {
		return zap.Options{}
	}
	return zap.Options{
		NewEncoder: func(opts ...zap.EncoderConfigOption) zapcore.Encoder {
			cfg := uberzap.NewDevelopmentEncoderConfig()
			for _, opt := range opts {
				opt(&cfg)
			}
			return zapcore.NewConsoleEncoder(cfg)
		},
		TimeEncoder: zapcore.TimeEncoderOfLayout("15:04:05.000"),
		// controller-runtime's stack traces of a reconcile error say nothing a reader needs.
		StacktraceLevel: uberzap.NewAtomicLevelAt(zapcore.PanicLevel),
	}
}

// stderrIsTerminal tells whether standard error is a terminal.
func stderrIsTerminal() bool {
	return term.IsTerminal(int(os.Stderr.Fd()))
}
