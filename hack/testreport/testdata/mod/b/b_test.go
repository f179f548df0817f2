package b

import "testing"

func TestFail(t *testing.T) {
	t.Log("before")
	t.Run("bad", func(t *testing.T) { t.Error("boom") })
	t.Run("good", func(t *testing.T) { t.Log("hidden") })
}
func TestOK(t *testing.T) {}
