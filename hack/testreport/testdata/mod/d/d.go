// Package d fails to build its tests with -tags broken.
package d
