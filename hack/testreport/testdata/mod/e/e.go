// Package e has a test that hangs, with -tags hang.
package e
