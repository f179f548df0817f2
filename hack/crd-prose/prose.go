package main

import (
	"strings"
	"unicode"
)

// unwrap turns a description controller-gen copied from a Go comment into prose: the lines of a
// paragraph are joined by a space, and paragraphs (blank lines) are kept, as one blank line.
// Lines that Markdown reads as their own stay on their own line: list items, indented lines and
// fenced code blocks, whose lines are kept as written.
func unwrap(s string) string {
	var out []string // lines of the result; "" separates paragraphs
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, strings.Join(para, " "))
			para = nil
		}
	}
	fenced := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case isFence(trimmed):
			flush()
			out = append(out, trimRight(line))
			fenced = !fenced
		case fenced:
			out = append(out, trimRight(line))
		case trimmed == "":
			flush()
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
		case startsOwnLine(line):
			flush()
			para = append(para, trimRight(line))
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// hardWraps returns the lines of s (1-based) that continue the paragraph of the line before them:
// a newline inside a paragraph, which kubectl explain shows as a break mid-sentence. It does not
// use unwrap, so that each checks the other.
func hardWraps(s string) []int {
	var wraps []int
	lines := strings.Split(s, "\n")
	fenced := false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if isFence(trimmed) {
			fenced = !fenced
			continue
		}
		if fenced || i == 0 || trimmed == "" || startsOwnLine(line) {
			continue
		}
		if prev := strings.TrimSpace(lines[i-1]); prev != "" && !isFence(prev) {
			wraps = append(wraps, i+1)
		}
	}
	return wraps
}

func trimRight(line string) string { return strings.TrimRightFunc(line, unicode.IsSpace) }

func isFence(trimmed string) bool {
	return strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")
}

// startsOwnLine tells whether Markdown reads a line as starting a block of its own: a list item
// or an indented (code) line.
func startsOwnLine(line string) bool {
	if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
		return strings.TrimSpace(line) != ""
	}
	rest := line
	if digits := len(line) - len(strings.TrimLeft(line, "0123456789")); digits > 0 {
		rest = line[digits:]
		if !strings.HasPrefix(rest, ".") && !strings.HasPrefix(rest, ")") {
			return false
		}
	} else if !strings.HasPrefix(line, "-") && !strings.HasPrefix(line, "*") && !strings.HasPrefix(line, "+") {
		return false
	}
	// A marker is followed by a space, or ends the line (an empty item).
	return len(rest) == 1 || rest[1] == ' '
}
