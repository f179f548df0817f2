package main

import (
	"strings"
)

func codeList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = code(x)
	}
	return strings.Join(out, ", ")
}

// code is s as a Markdown code span, whatever backticks it holds.
func code(s string) string {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.TrimSpace(s) != "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// text turns a description into one Markdown paragraph run: lines are joined, paragraphs are
// separated by <br><br>, and < and & outside code spans are escaped so they are not read as HTML.
func text(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return ""
	}
	var paras []string
	for _, p := range strings.Split(s, "\n\n") {
		lines := strings.Fields(strings.ReplaceAll(p, "\n", " "))
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, " "))
		}
	}
	joined := strings.Join(paras, "\n\n")
	// Escape HTML outside code spans (segments between backticks).
	parts := strings.Split(joined, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(parts[i])
	}
	return strings.ReplaceAll(strings.Join(parts, "`"), "\n\n", "<br><br>")
}

// cell makes s safe inside a table cell: pipes are escaped (GFM honours \| inside code spans too)
// and line breaks become <br>.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}
