package main

import (
	"strings"
	"testing"
)

func TestUnknownSchemaKeywordIsAnError(t *testing.T) {
	crd := strings.Replace(smallCRD, "              port:\n", "              port:\n                anyOf: [{type: integer}, {type: string}]\n", 1)
	if _, err := renderSmall(t, crd); err == nil || !strings.Contains(err.Error(), "anyOf") || !strings.Contains(err.Error(), "spec.port") {
		t.Errorf("anyOf was not refused with the field's path: %v", err)
	}
}
