//go:build hang

package e

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) { t.Log("quick and quiet") }

func TestHangs(t *testing.T) {
	t.Log("waiting for something that never comes")
	time.Sleep(time.Minute)
}
