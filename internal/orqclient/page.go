package orqclient

import "context"

// EachPage follows the list cursor from the first page to the last, pageSize items a call
// (MaxPageSize when out of range), and gives each item to each. list reads one page and says
// whether more follow; id is an item's ID, after which the next page starts.
func EachPage[T any](ctx context.Context, pageSize int, list func(context.Context, ListOptions) ([]T, bool, error), id func(T) string, each func(T)) error {
	if pageSize <= 0 || pageSize > MaxPageSize {
		pageSize = MaxPageSize
	}
	opts := ListOptions{Limit: pageSize}
	for {
		items, more, err := list(ctx, opts)
		if err != nil {
			return err
		}
		for _, item := range items {
			each(item)
		}
		if !more || len(items) == 0 {
			return nil
		}
		opts.StartingAfter = id(items[len(items)-1])
	}
}
