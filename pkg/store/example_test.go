package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mrioflow/mrioflow/pkg/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Check(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for _, key := range []string{"year=2019/scenario=base/regions.arrow", "year=2020/scenario=base/regions.arrow"} {
		if err := s.Put(ctx, key, []byte("...")); err != nil {
			fmt.Println(err)
			return
		}
	}
	keys, _ := s.List(ctx, "year=2019/")
	fmt.Println(keys)
	_, err = s.Get(ctx, "year=2021/scenario=base/regions.arrow")
	fmt.Println(errors.Is(err, store.ErrNotExist))
	// Output:
	// [year=2019/scenario=base/regions.arrow]
	// true
}
