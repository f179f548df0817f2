package orqmem

import (
	"fmt"
	"net/url"
	"strconv"
)

// listPage is the answer of the paged list routes: GET /v2/agents,
// /v2/tools, /v2/knowledge and /v2/memory-stores.
type listPage struct {
	Object  string           `json:"object"`
	Data    []map[string]any `json:"data"`
	HasMore bool             `json:"has_more"`
}

// listLimits are the bounds and the default of a list's limit parameter;
// def 0 returns everything when limit is absent.
type listLimits struct{ max, def int }

// agentLimits are those of GET /v2/agents.
var agentLimits = listLimits{max: maxLimit}

// parse returns the limit query parameter, l.def when absent.
func (l listLimits) parse(q url.Values) (int, error) {
	raw, ok := q["limit"]
	if !ok {
		return l.def, nil
	}
	fail := fmt.Errorf("limit: must be a number between %d and %d", minLimit, l.max)
	if len(raw) != 1 {
		return 0, fail
	}
	f, err := strconv.ParseFloat(raw[0], 64)
	if err != nil || f < minLimit || f > float64(l.max) || f != float64(int(f)) {
		return 0, fail
	}
	return int(f), nil
}

// paginate applies the cursors and the limit (0 = unlimited) to items,
// which are sorted newest first; idOf returns an item's id. starting_after
// keeps items older than the cursor and returns the first page of them;
// ending_before keeps items newer than the cursor and returns the page
// adjacent to it. Cursors are compared as IDs (monotonic ULIDs, behind a
// fixed prefix for tools), so they keep working when the cursor item was
// deleted. Agents and the other collections share it.
func paginate[T any](items []T, idOf func(T) string, limit int, after, before string) ([]T, bool) {
	var kept []T
	for _, it := range items {
		id := idOf(it)
		if after != "" && id >= after {
			continue
		}
		if before != "" && id <= before {
			continue
		}
		kept = append(kept, it)
	}
	if limit == 0 || len(kept) <= limit {
		return kept, false
	}
	if before != "" && after == "" {
		return kept[len(kept)-limit:], true
	}
	return kept[:limit], true
}
