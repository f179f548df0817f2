//go:build broken

package d

import "testing"

func TestBroken(t *testing.T) { undefinedFunction() }
