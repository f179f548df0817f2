package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals end manager dev: Ctrl-C, a kill, and the terminal closing (SIGHUP, such as an ssh
// session that drops). Without SIGHUP among them, closing the terminal would end the process at
// once and leave its kube-apiserver and etcd running with their data.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// devShutdown turns the stop signals into a cancelled context, then into a hurried exit.
type devShutdown struct {
	mu      sync.Mutex
	release func() // the last thing to do before exiting; nil until there is one
}

// handleSignals returns a context cancelled by the first stop signal. A second one runs the
// function given to lastly (stopping the control plane: never skipped) and exits with status 1,
// without waiting for the operator to finish its shutdown; before lastly is called, it does
// nothing more. stop ends the handling.
func handleSignals() (ctx context.Context, lastly func(func()), stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	s := &devShutdown{}
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			fmt.Fprintf(os.Stderr, "\nmanager dev: %v: stopping (signal again to stop at once)\n", sig)
			cancel()
		case <-done:
			return
		}
		for {
			select {
			case sig := <-sigs:
				s.mu.Lock()
				release := s.release
				s.mu.Unlock()
				if release == nil { // still starting: runDev stops it as soon as it has started
					fmt.Fprintf(os.Stderr, "manager dev: %v again: the control plane is stopped once it has started\n", sig)
					continue
				}
				fmt.Fprintf(os.Stderr, "manager dev: %v again: stopping the local control plane now\n", sig)
				release()
				os.Exit(1)
			case <-done:
				return
			}
		}
	}()
	lastly = func(f func()) {
		s.mu.Lock()
		s.release = f
		s.mu.Unlock()
	}
	stop = func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
	return ctx, lastly, stop
}
