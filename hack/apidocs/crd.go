package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// crd is the part of a CustomResourceDefinition the reference needs.
type crd struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind       string   `json:"kind"`
			ListKind   string   `json:"listKind"`
			Plural     string   `json:"plural"`
			Singular   string   `json:"singular"`
			ShortNames []string `json:"shortNames"`
			Categories []string `json:"categories"`
		} `json:"names"`
		Scope    string    `json:"scope"`
		Versions []version `json:"versions"`
	} `json:"spec"`
}

type version struct {
	Name               string          `json:"name"`
	Served             bool            `json:"served"`
	Storage            bool            `json:"storage"`
	Deprecated         bool            `json:"deprecated"`
	DeprecationWarning *string         `json:"deprecationWarning"`
	Columns            []printerColumn `json:"additionalPrinterColumns"`
	Subresources       struct {
		Status *json.RawMessage `json:"status"`
		Scale  *json.RawMessage `json:"scale"`
	} `json:"subresources"`
	Schema struct {
		OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
	} `json:"schema"`
}

type printerColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int32  `json:"priority"`
	JSONPath    string `json:"jsonPath"`
}

// parseCRD decodes a CRD manifest (YAML or JSON).
func parseCRD(manifest []byte) (*crd, error) {
	js, err := yaml.YAMLToJSON(manifest)
	if err != nil {
		return nil, err
	}
	var c crd
	if err := json.Unmarshal(js, &c); err != nil {
		return nil, err
	}
	if c.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("not a CustomResourceDefinition (kind %q)", c.Kind)
	}
	if c.Spec.Names.Kind == "" {
		return nil, errors.New("the CRD names no kind")
	}
	if len(c.Spec.Versions) == 0 {
		return nil, errors.New("the CRD has no versions")
	}
	return &c, nil
}

// pageName is the file of the kind's page: the kind in lower case (agentschedule.md).
func (c *crd) pageName() string {
	return strings.ToLower(c.Spec.Names.Kind) + ".md"
}

// summary is the first sentence of the kind's description (that of its root schema), or "".
func (c *crd) summary() string {
	for _, v := range c.Spec.Versions {
		var root struct {
			Description string `json:"description"`
		}
		if json.Unmarshal(v.Schema.OpenAPIV3Schema, &root) == nil && root.Description != "" {
			first, _, _ := strings.Cut(strings.TrimSpace(root.Description), "\n\n")
			return first
		}
	}
	return ""
}

func versionsSummary(vs []version) string {
	var parts []string
	for _, v := range vs {
		var attrs []string
		if v.Served {
			attrs = append(attrs, "served")
		} else {
			attrs = append(attrs, "not served")
		}
		if v.Storage {
			attrs = append(attrs, "storage")
		}
		if v.Deprecated {
			attrs = append(attrs, "deprecated")
		}
		if v.Subresources.Status != nil {
			attrs = append(attrs, "status subresource")
		}
		if v.Subresources.Scale != nil {
			attrs = append(attrs, "scale subresource")
		}
		parts = append(parts, code(v.Name)+" ("+strings.Join(attrs, ", ")+")")
	}
	return strings.Join(parts, "; ")
}
