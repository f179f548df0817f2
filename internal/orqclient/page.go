package orqclient

import (
	"context"
	"fmt"
)

// maxListed bounds the items of one listing, 2^20: far more agents than one workspace has, or
// the operator could reconcile, but an end to a server that makes up new items without end.
const maxListed = 1 << 20

// EachPage follows the list cursor from the first page to the last, pageSize items a call
// (MaxPageSize when out of range), and gives each item to each. list reads one page and says
// whether more follow; id is an item's ID, after which the next page starts.
//
// The listing must make progress: a page that repeats an item already listed (a server or proxy
// that ignores starting_after, a cursor that does not advance), an empty page or an item
// without ID when more are said to follow, or more than maxListed items, end it with a
// KindUnavailable error; the items of such a page are not given to each.
func EachPage[T any](ctx context.Context, pageSize int, list func(context.Context, ListOptions) ([]T, bool, error), id func(T) string, each func(T)) error {
	if pageSize <= 0 || pageSize > MaxPageSize {
		pageSize = MaxPageSize
	}
	opts := ListOptions{Limit: pageSize}
	seen := map[string]struct{}{}
	for {
		items, more, err := list(ctx, opts)
		if err != nil {
			return err
		}
		ids := make([]string, len(items))
		for i, item := range items {
			ids[i] = id(item)
		}
		if err := progress(seen, ids, more); err != nil {
			return err
		}
		for _, item := range items {
			each(item)
		}
		if !more {
			return nil
		}
		opts.StartingAfter = ids[len(ids)-1]
	}
}

// progress checks that a page, of items ids, moves the listing on, and adds its ids to seen.
func progress(seen map[string]struct{}, ids []string, more bool) error {
	for _, id := range ids {
		if _, dup := seen[id]; dup && id != "" {
			return pageError(fmt.Sprintf("a page repeats member %s, listed before: the list cursor (starting_after) does not advance", id))
		}
		seen[id] = struct{}{}
	}
	switch {
	case len(seen) > maxListed:
		return pageError(fmt.Sprintf("more than %d members: the listing does not end", maxListed))
	case more && len(ids) == 0:
		return pageError("an empty page says more follow")
	case more && ids[len(ids)-1] == "":
		return pageError("the last member of a page has no ID to continue after")
	}
	return nil
}

func pageError(msg string) error {
	return &Error{Kind: KindUnavailable, Op: "list", Message: msg}
}
